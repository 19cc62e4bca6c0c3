"""Scenario: make to order, from a customer's demand to finished stools in stock, with exact figures (issue 4).

Acme d.o.o. assembles stools to order: one seat, three legs (5 % of legs break in assembly)
and twelve screws each, assembled on a bench that costs 30 EUR an hour (30 minutes of setup,
10 minutes a stool). A customer's order for 10 stools arrives; production makes a confirmed
order for it that reserves the components and books the bench. The first batch gives 4 good
stools and 1 broken one, the second finishes the order. Stock, reservations, the stools'
unit costs and the ledger's stock and work-in-progress accounts end exactly where they should.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory
from spona.back.finance import selectors as finance_selectors
from spona.back.finance import services as finance
from spona.back.production import services
from spona.back.production.models import WorkCentreLoad
from spona.core.models import Event, TimelineEntry
from tests.factories import deliver_events, member, party


def balance(company, role: str) -> D:
    account = finance_selectors.account_for_role(company=company, role=role)
    return finance_selectors.account_balance(company=company, account_id=account.pk)


def test_from_the_customers_demand_to_stools_in_stock(company):
    # 1. A ledger, a warehouse, the components bought in at their prices, a bench at 30 EUR/h.
    finance.ledger_setup(actor=None, company=company)
    planner = member(company, "operations", full_name="Petar Planner", email="planner@acme.test")
    customer = party(company, "Kafana Kod Stole")
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Workshop")

    def product(sku: str, name: str):
        return inventory.product_create(
            actor=None, company=company, data=inventory.ProductInput(name=name, sku=sku, uom_id=unit.pk)
        )

    seat, leg, screw, stool = product("SEAT", "Seat"), product("LEG", "Leg"), product("SCREW", "Screw"), product("STOOL", "Stool")
    receipt = inventory.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        reference="PO-1",
        lines=[
            inventory.TransferLineIn(product_id=seat.pk, quantity=D(20), unit_cost=D("8.00")),
            inventory.TransferLineIn(product_id=leg.pk, quantity=D(50), unit_cost=D("2.00")),
            inventory.TransferLineIn(product_id=screw.pk, quantity=D(500), unit_cost=D("0.05")),
        ],
    )
    inventory.transfer_validate(actor=None, company=company, transfer_id=receipt.pk)
    stock_before = balance(company, "stock")
    assert stock_before == D("285.00")  # 160 + 100 + 25
    bench = services.work_centre_create(
        actor=planner, company=company, data=services.WorkCentreInput(code="ASM", name="Bench", cost_per_hour=D(30))
    )
    services.bom_create(
        actor=planner,
        company=company,
        data=services.BomInput(
            product_id=stool.pk,
            lines=[
                services.BomLineInput(product_id=seat.pk, quantity=D(1)),
                services.BomLineInput(product_id=leg.pk, quantity=D(3), scrap_percent=D(5)),
                services.BomLineInput(product_id=screw.pk, quantity=D(12)),
            ],
            operations=[
                services.BomOperationInput(name="Assemble", work_centre_id=bench.pk, minutes_per_unit=D(10), setup_minutes=D(30))
            ],
        ),
    )
    services.product_route_set(actor=planner, company=company, product_id=stool.pk, route="make_to_order")

    # 2. The customer's order for 10 stools becomes a confirmed production order (asked twice: one order).
    def demand():
        return services.production_order_for_demand(
            actor=planner,
            company=company,
            product_id=stool.pk,
            quantity=D(10),
            warehouse_id=warehouse.pk,
            reference="SO-1001",
            due_date=dt.date.today() + dt.timedelta(days=7),
            party_id=customer.pk,
        )

    order = demand()
    assert demand().pk == order.pk
    assert (order.state, order.reference, order.components_short) == ("confirmed", "SO-1001", False)
    # 10 × 8 + ⌈31.5⌉ = 32 × 2 + 120 × 0.05 + (30 + 100) min × 30/h = 80 + 64 + 6 + 65
    assert order.planned_cost == D("215.0000")

    def level(p):
        return inventory_selectors.stock_level(
            user=None, company=company, product_id=p.pk, location_id=warehouse.stock_location_id
        )

    # 3. The components are reserved and the bench is booked for 130 minutes.
    assert [(level(p).on_hand, level(p).reserved) for p in (seat, leg, screw)] == [
        (D(20), D(10)),
        (D(50), D(32)),
        (D(500), D(120)),
    ]
    assert sum(WorkCentreLoad.objects.values_list("minutes", flat=True)) == D(130)

    # 4. First batch: 4 good stools, 1 broken; half the components consumed, 80 minutes spent.
    services.production_order_produce(actor=planner, company=company, order_id=order.pk, quantity=D(4), scrap_quantity=D(1))
    order.refresh_from_db()
    # 5 seats 40 + 16 legs 32 + 60 screws 3 + 80 min 40 = 115 over 4 good stools
    assert (order.state, order.actual_cost, order.unit_cost) == ("in_progress", D("115.0000"), D("28.7500"))
    assert (level(stool).on_hand, level(leg).on_hand, level(leg).reserved) == (D(4), D(34), D(16))

    # 5. Second batch finishes the order: the rest of the components, 50 minutes.
    services.production_order_finish(actor=planner, company=company, order_id=order.pk)
    order.refresh_from_db()
    assert (order.state, order.produced_quantity, order.scrapped_quantity) == ("done", D(9), D(1))
    assert order.actual_cost == order.planned_cost == D("215.0000")
    assert order.unit_cost == D("23.8889")  # 215 / 9
    # Components: all consumed, nothing left reserved.
    assert [(level(p).on_hand, level(p).reserved) for p in (seat, leg, screw)] == [
        (D(10), D(0)),
        (D(18), D(0)),
        (D(380), D(0)),
    ]
    # Stools: 9 in stock at 28.75 (4) and 20.00 (5): 215.00 in all.
    assert level(stool).on_hand == D(9)
    assert inventory_selectors.product_unit_cost(company=company, product_id=stool.pk) == D("23.8889")

    # 6. The ledger: stock gained the conversion cost (65.00) that the bench added to the components.
    # Components left stock for work in progress (150.00), the bench's time was absorbed into it
    # (65.00) and the stools came back from it (215.00): work in progress is empty, and the
    # absorption account holds the 65.00 credit that offsets the bench's costs in the expenses.
    assert balance(company, "stock") == stock_before + D("65.00")
    assert balance(company, "wip") == D("0.00")
    assert balance(company, "production_absorbed") == D("-65.00")

    # 7. The customer's timeline shows the order confirmed and done.
    deliver_events()
    names = set(Event.objects.filter(party=customer).values_list("name", flat=True))
    assert {"production.order_confirmed", "production.order_done"} <= names
    assert TimelineEntry.objects.filter(party=customer, event__name="production.order_done").count() == 1
