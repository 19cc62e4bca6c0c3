"""The production part of the demo company: a small metal workshop making workbenches and tool stands.

Everything goes through the services as a planner would do it: four work centres, bought
components received into the demo warehouse, a frame and a drawer unit made as
sub-assemblies, two finished products with their BoMs (the workbench made to order), and
orders in every state: two done, one half made, confirmed ones (one short of tops) and a draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

import spona.back.inventory.services as inventory
from spona.back.production import services
from spona.back.production.services.common import Uom
from spona.core import demo
from spona.core.demo import DemoContext
from spona.core.models import Party

# code, name, hours per day, cost per hour
CENTRES = (
    ("CUT", "Saw and cutting", "8", "25"),
    ("WELD", "Welding bay", "8", "40"),
    ("PAINT", "Paint shop", "7.5", "35"),
    ("ASM", "Assembly bench", "8", "30"),
)
# sku, name, unit, cost price, quantity received
BOUGHT = (
    ("MFG-TUBE", "Steel tube 40×40 mm", "m", "4.2000", "300"),
    ("MFG-TOP", "Beech worktop 150 cm", "Units", "65.0000", "8"),
    ("MFG-PANEL", "Plywood panel 50×40 cm", "Units", "7.8000", "120"),
    ("MFG-RUNNER", "Drawer runner pair", "Units", "6.4000", "60"),
    ("MFG-LEVEL", "Levelling foot M10", "Units", "1.1000", "200"),
    ("MFG-BOLT", "Hex bolt M8×40 zinc", "Units", "0.1200", "1500"),
    ("MFG-PAINT", "Powder coating RAL 7016", "kg", "9.5000", "40"),
)
MADE = (
    ("MFG-FRAME", "Workbench frame (welded)", "Units"),
    ("MFG-DRAWER", "Drawer unit (3 drawers)", "Units"),
    ("MFG-BENCH", "Workbench 150 with drawers", "Units"),
    ("MFG-STAND", "Mobile tool stand", "Units"),
)


def _op(name: str, centre: object, per: str, setup: str) -> services.BomOperationInput:
    return services.BomOperationInput(name=name, work_centre_id=centre.pk, minutes_per_unit=D(per), setup_minutes=D(setup))  # type: ignore[attr-defined]


def _line(product: object, quantity: str, scrap: str = "0") -> services.BomLineInput:
    return services.BomLineInput(product_id=product.pk, quantity=D(quantity), scrap_percent=D(scrap))  # type: ignore[attr-defined]


def build_production(ctx: DemoContext) -> None:
    actor, company = ctx.users.get("operations"), ctx.company
    warehouse_id = ctx.records["inventory.warehouse"][0]
    units = {u.name: u for u in Uom.objects.filter(company=company, name__in=["Units", "m", "kg"])}
    centres = {
        code: services.work_centre_create(
            actor=actor,
            company=company,
            data=services.WorkCentreInput(code=code, name=name, hours_per_day=D(hours), cost_per_hour=D(cost)),
        )
        for code, name, hours, cost in CENTRES
    }
    products = {}
    for sku, name, unit, cost, _quantity in BOUGHT:
        data = inventory.ProductInput(name=name, sku=sku, uom_id=units[unit].pk, cost_price=D(cost))
        products[sku] = inventory.product_create(actor=actor, company=company, data=data)
    for sku, name, unit in MADE:
        data = inventory.ProductInput(name=name, sku=sku, uom_id=units[unit].pk)
        products[sku] = inventory.product_create(actor=actor, company=company, data=data)
    receipt = inventory.transfer_create(
        actor=actor,
        company=company,
        kind="receipt",
        warehouse_id=warehouse_id,
        reference="Workshop stock",
        lines=[
            inventory.TransferLineIn(product_id=products[sku].pk, quantity=D(quantity), unit_cost=D(cost))
            for sku, _name, _unit, cost, quantity in BOUGHT
        ],
    )
    inventory.transfer_validate(actor=actor, company=company, transfer_id=receipt.pk)

    p, c = products, centres
    boms = [
        ("MFG-FRAME", [_line(p["MFG-TUBE"], "6.4", "3"), _line(p["MFG-BOLT"], "8"), _line(p["MFG-PAINT"], "0.4", "5")],
         [_op("Cut tubes", c["CUT"], "12", "20"), _op("Weld frame", c["WELD"], "35", "15"),
          _op("Powder coat", c["PAINT"], "10", "30")]),
        ("MFG-DRAWER", [_line(p["MFG-PANEL"], "5", "2"), _line(p["MFG-RUNNER"], "3"), _line(p["MFG-BOLT"], "12")],
         [_op("Assemble drawers", c["ASM"], "20", "10")]),
        ("MFG-BENCH", [_line(p["MFG-FRAME"], "1"), _line(p["MFG-TOP"], "1"), _line(p["MFG-DRAWER"], "1"),
                       _line(p["MFG-LEVEL"], "4"), _line(p["MFG-BOLT"], "8")],
         [_op("Assemble workbench", c["ASM"], "25", "15")]),
        ("MFG-STAND", [_line(p["MFG-TUBE"], "3.2", "3"), _line(p["MFG-PANEL"], "2"), _line(p["MFG-LEVEL"], "4"),
                       _line(p["MFG-BOLT"], "6")],
         [_op("Cut tubes", c["CUT"], "8", "15"), _op("Weld stand", c["WELD"], "20", "10"),
          _op("Assemble stand", c["ASM"], "10", "5")]),
    ]  # fmt: skip
    for sku, lines, operations in boms:
        services.bom_create(
            actor=actor, company=company, data=services.BomInput(product_id=p[sku].pk, lines=lines, operations=operations)
        )
    services.product_route_set(actor=actor, company=company, product_id=p["MFG-BENCH"].pk, route="make_to_order")

    today = timezone.localdate()
    start = today - dt.timedelta(days=14)
    customers = list(
        Party.objects.filter(pk__in=ctx.records.get("organisations", []), roles__role="customer")
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    def order(sku: str, quantity: int, begins: dt.date, **fields: object) -> int:
        made = services.production_order_create(
            actor=actor,
            company=company,
            product_id=p[sku].pk,
            quantity=D(quantity),
            warehouse_id=warehouse_id,
            start_date=begins,
            **fields,  # type: ignore[arg-type]
        )
        return made.pk

    steps = ctx.track(range(6), "Production orders")
    # Done: frames and stands made two weeks ago, one stand scrapped on the way.
    next(steps)
    frames = order("MFG-FRAME", 6, start)
    services.production_order_confirm(actor=actor, company=company, order_id=frames)
    services.production_order_finish(actor=actor, company=company, order_id=frames)
    next(steps)
    stands = order("MFG-STAND", 8, start + dt.timedelta(days=2))
    services.production_order_confirm(actor=actor, company=company, order_id=stands)
    services.production_order_produce(actor=actor, company=company, order_id=stands, quantity=D(5), scrap_quantity=D(1))
    services.production_order_finish(actor=actor, company=company, order_id=stands)
    # In progress: workbenches for a customer, two of four made.
    next(steps)
    benches = services.production_order_for_demand(
        actor=actor,
        company=company,
        product_id=p["MFG-BENCH"].pk,
        quantity=D(4),
        warehouse_id=warehouse_id,
        reference=f"SO-{ctx.rng.randint(1000, 9999)}",
        due_date=today + dt.timedelta(days=5),
        party_id=ctx.rng.choice(customers) if customers else None,
    )
    if benches is not None:
        services.production_order_produce(actor=actor, company=company, order_id=benches.pk, quantity=D(2))
    # Confirmed: more stands next week; workbenches for another customer, short of worktops.
    next(steps)
    services.production_order_confirm(
        actor=actor, company=company, order_id=order("MFG-STAND", ctx.rng.randint(6, 10), today + dt.timedelta(days=3))
    )
    next(steps)
    services.production_order_for_demand(
        actor=actor,
        company=company,
        product_id=p["MFG-BENCH"].pk,
        quantity=D(6),
        warehouse_id=warehouse_id,
        reference=f"SO-{ctx.rng.randint(1000, 9999)}",
        due_date=today + dt.timedelta(days=12),
        party_id=ctx.rng.choice(customers) if customers else None,
    )
    # Draft: drawer units to stock up.
    next(steps)
    order("MFG-DRAWER", 10, today + dt.timedelta(days=7))


demo.register_step("production.workshop", build_production, order=420)
