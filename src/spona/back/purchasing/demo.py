"""The purchasing part of the demo company: reorder rules, open RFQs, orders received and billed.

Runs after the inventory stock (order 400): rules on products the demo suppliers sell, some
below their minimum so that replenishment has proposals, RFQs drafted from it, and orders in
every later state: confirmed, partially received with a backorder, received and billed.
"""

from __future__ import annotations

from decimal import Decimal

import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory
from spona.back.purchasing import selectors, services
from spona.back.purchasing.models import PurchaseOrder
from spona.back.purchasing.services.common import products_by_id, warehouse_of
from spona.core import events
from spona.core.demo import DemoContext, register_step

RULES = 16


def _deliver() -> None:
    """Let purchasing hear the receipts now, as the worker would after commit, before billing."""
    while events.dispatch_due(limit=200):
        pass


def _receive(ctx: DemoContext, order: PurchaseOrder, share: Decimal | None) -> None:
    """Validate the order's receipt: all of it, or ``share`` of each line with a backorder for the rest."""
    receipt = inventory_selectors.transfer_get(user=ctx.users["operations"], company=ctx.company, transfer_id=order.receipt_id)
    quantities = None
    if share is not None:
        quantities = {line.pk: max((line.quantity * share).to_integral_value(), Decimal(1)) for line in receipt.lines.all()}
    inventory.transfer_validate(actor=ctx.users["operations"], company=ctx.company, transfer_id=receipt.pk, quantities=quantities)
    _deliver()


def build_purchasing(ctx: DemoContext) -> None:
    """Reorder rules, replenishment RFQs, and purchase orders from RFQ to billed."""
    buyer, company = ctx.users.get("operations"), ctx.company
    warehouse_ids = ctx.records.get("inventory.warehouse", [])
    product_ids = ctx.records.get("inventory.products", [])
    if buyer is None or not warehouse_ids or not product_ids:
        return
    warehouse_id = warehouse_ids[0]
    view_location_id = warehouse_of(company, warehouse_id).view_location_id
    products = products_by_id(company, product_ids)
    bought = [p for pk, p in sorted(products.items()) if p.is_stocked() and p.suppliers.exists() and not p.is_tracked()]
    for i, product in enumerate(ctx.track(bought[:RULES], "Reorder rules")):
        level = inventory_selectors.stock_level(user=None, company=company, product_id=product.pk, location_id=view_location_id)
        # A third of the rules sit above today's stock, so replenishment has something to propose.
        minimum = (level.on_hand + ctx.rng.randint(5, 20)) if i % 3 == 0 else (level.on_hand / 3).to_integral_value()
        services.rule_create(
            actor=buyer,
            company=company,
            data=services.RuleIn(
                product_id=product.pk,
                warehouse_id=warehouse_id,
                min_quantity=minimum,
                max_quantity=minimum * 2 + 10,
                multiple=Decimal(ctx.rng.choice([1, 1, 5, 10])),
            ),
        )
    proposals = selectors.replenishment(user=buyer, company=company)
    rfq_ids = services.replenishment_order(actor=buyer, company=company, rule_ids=[p.rule_id for p in proposals])
    # Orders beyond the rules: confirmed ones in every later state.
    others = bought[RULES:] or bought
    orders = []
    for n in range(6):
        items = ctx.rng.sample(others, k=min(len(others), ctx.rng.randint(1, 3)))
        supplier_id = items[0].suppliers.order_by("sequence", "pk").first().supplier_id
        lines = [
            services.LineIn(product_id=p.pk, quantity=Decimal(ctx.rng.randint(2, 12)) * 10)
            for p in items
            if p.suppliers.filter(supplier_id=supplier_id).exists()
        ]
        order = services.order_create(
            actor=buyer,
            company=company,
            data=services.OrderIn(supplier_id=supplier_id, warehouse_id=warehouse_id, lines=lines, notes=f"Demo order {n + 1}"),
        )
        orders.append(order)
    services.order_send(actor=buyer, company=company, order_id=orders[0].pk)
    for order in orders[1:]:
        services.order_confirm(actor=buyer, company=company, order_id=order.pk)
    confirmed = [PurchaseOrder.objects.get(pk=o.pk) for o in orders[1:]]
    confirmed = [o for o in confirmed if o.state == PurchaseOrder.State.CONFIRMED]
    if len(confirmed) >= 1:
        _receive(ctx, confirmed[0], Decimal("0.5"))
    finance = ctx.users.get("finance")
    for order in confirmed[1:3]:
        _receive(ctx, order, None)
        if finance is not None:
            services.bill_create(actor=finance, company=company, order_id=order.pk, reference=f"INV-{order.number[-5:]}")
    ctx.records["purchasing.orders"] = [*rfq_ids, *(o.pk for o in orders)]


register_step("purchasing.orders", build_purchasing, order=400)
