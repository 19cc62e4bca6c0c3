"""The purchasing part of the demo company, built on a small context: rules, RFQs and orders from sent to billed."""

from __future__ import annotations

import random
from decimal import Decimal as D

from spona.back.finance import services as finance
from spona.back.inventory import selectors as inventory_selectors
from spona.back.inventory import services as inventory
from spona.back.inventory.reports import valuation_check
from spona.back.purchasing import selectors
from spona.back.purchasing.demo import build_purchasing
from spona.back.purchasing.models import PurchaseBill, PurchaseOrder, ReorderRule
from spona.core import demo
from tests.factories import member, party


def test_the_orders_step_leaves_rules_rfqs_and_orders_in_every_state(company):
    # given only what the step reads: a ledger, a buyer and finance, a warehouse with six stocked
    # products, each sold by one of two suppliers
    finance.ledger_setup(actor=None, company=company)
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Demo warehouse")
    suppliers = [party(company, name, roles=["supplier"]) for name in ("Vijci d.o.o.", "Matice a.d.")]
    products = []
    for n in range(6):
        product = inventory.product_create(
            actor=None,
            company=company,
            data=inventory.ProductInput(name=f"Part {n}", sku=f"PART-{n}", uom_id=unit.pk, cost_price=D("1.50")),
        )
        inventory.supplier_info_set(
            actor=None,
            company=company,
            product_id=product.pk,
            supplier_id=suppliers[n % 2].pk,
            lead_time_days=4,
            price_breaks=[(D(1), D("1.60")), (D(50), D("1.40"))],
        )
        products.append(product)
    receipt = inventory.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        lines=[inventory.TransferLineIn(product_id=p.pk, quantity=D(30), unit_cost=D("1.50")) for p in products],
    )
    inventory.transfer_validate(actor=None, company=company, transfer_id=receipt.pk)
    ctx = demo.DemoContext(
        company=company,
        users={
            "operations": member(company, "operations", email="ops@demo.test"),
            "finance": member(company, "finance", email="finance@demo.test"),
        },
        rng=random.Random(f"{demo.SEED}:purchasing.orders"),
        organisations=2,
        persons=0,
        records={"inventory.warehouse": [warehouse.pk], "inventory.products": [p.pk for p in products]},
    )
    # when the purchasing step runs
    build_purchasing(ctx)
    # then every product has a reorder rule, and replenishment's proposals became RFQs
    assert ReorderRule.objects.filter(company=company).count() == 6
    orders = PurchaseOrder.objects.filter(company=company)
    assert orders.filter(notes="").exclude(state="draft").count() == 0
    assert orders.filter(notes="", state="draft").count() >= 1
    # and the other orders are sent, partly received, received and billed
    states = set(orders.exclude(notes="").values_list("state", flat=True))
    assert {"sent", "partial", "billed"} <= states
    assert PurchaseBill.objects.filter(company=company).count() == 2
    # and no rule whose RFQ is open is proposed again, stock and its value still agree
    assert selectors.replenishment(user=ctx.users["operations"], company=company) == []
    assert inventory_selectors.stock_check(company) == []
    assert valuation_check(company) == []
