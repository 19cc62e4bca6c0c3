"""Replenishment reads a constant number of queries however many rules it weighs (no N+1)."""

from __future__ import annotations

from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from spona.back.inventory import services as inventory
from spona.back.purchasing import selectors, services


def add_products(s, count: int, start: int) -> None:
    """``count`` more products below their reorder point, each sold by both suppliers with a price break."""
    for n in range(start, start + count):
        product = inventory.product_create(
            actor=None,
            company=s.company,
            data=inventory.ProductInput(name=f"Washer {n}", sku=f"W{n:03d}", uom_id=s.bolt.uom_id, cost_price=D("0.10")),
        )
        for supplier, price in ((s.supplier, "0.12"), (s.other_supplier, "0.11")):
            inventory.supplier_info_set(
                actor=None,
                company=s.company,
                product_id=product.pk,
                supplier_id=supplier.pk,
                lead_time_days=3,
                price_breaks=[(D(1), D(price)), (D(100), D("0.09"))],
            )
        receipt = inventory.transfer_create(
            actor=None,
            company=s.company,
            kind="receipt",
            warehouse_id=s.warehouse.pk,
            lines=[inventory.TransferLineIn(product_id=product.pk, quantity=D(5), unit_cost=D("0.10"))],
        )
        inventory.transfer_validate(actor=None, company=s.company, transfer_id=receipt.pk)
        services.rule_create(
            actor=s.buyer,
            company=s.company,
            data=services.RuleIn(product_id=product.pk, warehouse_id=s.warehouse.pk, min_quantity=D(20), max_quantity=D(50)),
        )


def queries(s) -> tuple[int, int]:
    """(queries, proposals) of one replenishment report."""
    with CaptureQueriesContext(connection) as captured:
        proposals = selectors.replenishment(user=s.buyer, company=s.company)
    return len(captured), len(proposals)


def test_replenishment_costs_the_same_queries_for_3_and_12_rules(world):
    # given 3 products below their reorder point, each with two suppliers
    add_products(world, 3, start=0)
    few, proposed = queries(world)
    assert proposed == 3
    # when 9 more are added
    add_products(world, 9, start=3)
    many, proposed = queries(world)
    # then the report proposes all 12 for the same number of queries
    assert proposed == 12
    assert many == few
    # and each washer goes to the cheaper supplier for 45 (50 − 5 on hand) at 0.11
    proposal = selectors.replenishment(user=world.buyer, company=world.company)[0]
    assert (proposal.supplier_id, proposal.quantity, proposal.unit_price) == (world.other_supplier.pk, D(45), D("0.11"))
