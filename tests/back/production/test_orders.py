"""Production orders: confirm (reserve, report shortage, schedule), produce in batches with scrap, cost roll-up, cancel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

import spona.back.inventory.selectors as inventory_selectors
from spona.back.production import services
from spona.back.production.models import ProductionOrder, WorkCentreLoad
from spona.core.errors import StateError, ValidationFailed
from spona.core.models import Event
from tests.back.production.conftest import MONDAY


def available(company, warehouse, product):
    return inventory_selectors.stock_level(
        user=None, company=company, product_id=product.pk, location_id=warehouse.stock_location_id
    )


@pytest.fixture
def order(company, warehouse, stool, stock):
    """10 stools to make from a full stock of components."""
    stock(stool["seat"], 20)
    stock(stool["leg"], 50)
    stock(stool["screw"], 500)
    return services.production_order_create(
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(10), warehouse_id=warehouse.pk, start_date=MONDAY
    )


def test_planned_cost_rolls_up_components_and_operation_time(order):
    # given 10 stools: 10 seats × 8 + 32 legs × 2 + 120 screws × 0.05 + 130 min × 30/h
    # then the planned cost is 80 + 64 + 6 + 65 = 215
    assert order.planned_cost == D("215.0000")
    assert order.number.startswith("MO/")


def test_confirming_reserves_every_component_and_schedules(company, warehouse, stool, order, planner):
    # when the planner confirms the order
    services.production_order_confirm(actor=planner, company=company, order_id=order.pk)
    order.refresh_from_db()
    # then the components are reserved in the warehouse and the assembly is booked on Monday
    assert order.state == "confirmed" and not order.components_short
    assert available(company, warehouse, stool["leg"]).reserved == D(32)
    assert available(company, warehouse, stool["screw"]).reserved == D(120)
    assert list(WorkCentreLoad.objects.values_list("day", "minutes")) == [(MONDAY, D(130))]
    assert order.planned_end == MONDAY
    assert Event.objects.filter(name="production.order_confirmed").count() == 1


def test_confirming_with_too_little_stock_reserves_what_there_is_and_reports_the_rest(company, warehouse, stool, stock):
    # given only 20 legs for 32 needed
    stock(stool["seat"], 10)
    stock(stool["leg"], 20)
    stock(stool["screw"], 120)
    order = services.production_order_create(
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(10), warehouse_id=warehouse.pk
    )
    # when it is confirmed
    services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    # then 20 legs are reserved, 12 reported short
    order.refresh_from_db()
    leg_line = order.components.get(product=stool["leg"])
    assert (order.state, order.components_short, leg_line.short_quantity) == ("confirmed", True, D(12))
    event = Event.objects.get(name="production.components_short")
    assert event.payload["lines"] == [{"product_id": stool["leg"].pk, "sku": "LEG", "short": "12"}]
    # and once 12 more legs arrive, reserving again covers the order
    stock(stool["leg"], 12)
    services.production_order_reserve(actor=None, company=company, order_id=order.pk)
    leg_line.refresh_from_db()
    assert leg_line.short_quantity == 0 and leg_line.reservation.quantity == D(32)
    assert available(company, warehouse, stool["leg"]).available == 0


def test_scheduling_fills_the_free_capacity_day_by_day(company, warehouse, stool, stock, bench):
    # given an 8-hour bench (480 min) that a first order books for 130 minutes on Monday
    stock(stool["seat"], 100)
    stock(stool["leg"], 400)
    stock(stool["screw"], 2000)
    make = lambda qty: services.production_order_create(  # noqa: E731
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(qty), warehouse_id=warehouse.pk, start_date=MONDAY
    )
    services.production_order_confirm(actor=None, company=company, order_id=make(10).pk)
    # when a second order needs 30 + 10 × 80 = 830 minutes from the same Monday
    second = services.production_order_confirm(actor=None, company=company, order_id=make(80).pk)
    # then it takes the 350 free minutes on Monday and 480 on Tuesday
    rows = list(WorkCentreLoad.objects.filter(operation__order=second).values_list("day", "minutes"))
    assert rows == [(MONDAY, D(350)), (MONDAY + dt.timedelta(days=1), D(480))]
    assert second.planned_end == MONDAY + dt.timedelta(days=1)


def test_weekends_are_skipped(company, warehouse, stool, stock):
    # given components for 50 stools and a Friday start: 30 + 500 = 530 minutes
    stock(stool["seat"], 50)
    stock(stool["leg"], 200)
    stock(stool["screw"], 600)
    friday = MONDAY + dt.timedelta(days=4)
    order = services.production_order_create(
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(50), warehouse_id=warehouse.pk, start_date=friday
    )
    # when it is confirmed
    order = services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    # then 480 minutes are booked on Friday and the remaining 50 on the next Monday
    assert list(WorkCentreLoad.objects.values_list("day", "minutes")) == [
        (friday, D(480)),
        (friday + dt.timedelta(days=3), D(50)),
    ]


def test_partial_production_consumes_its_share_and_costs_the_good_units(company, warehouse, stool, order, planner):
    # given the confirmed order for 10 stools
    services.production_order_confirm(actor=planner, company=company, order_id=order.pk)
    # when 4 good stools are made and 1 is scrapped
    services.production_order_produce(actor=planner, company=company, order_id=order.pk, quantity=D(4), scrap_quantity=D(1))
    order.refresh_from_db()
    # then 5/10 of each component was consumed: 5 seats, 16 legs, 60 screws
    consumed = {c.product.sku: c.consumed_quantity for c in order.components.all()}
    assert consumed == {"SEAT": D(5), "LEG": D(16), "SCREW": D(60)}
    # and the batch cost is 40 + 32 + 3 + (30 + 50) min × 30/h = 115, carried by 4 good stools: 28.75 each
    assert (order.state, order.produced_quantity, order.scrapped_quantity) == ("in_progress", D(4), D(1))
    assert order.actual_cost == D("115.0000") and order.unit_cost == D("28.7500")
    assert available(company, warehouse, stool["stool"]).on_hand == D(4)
    assert available(company, warehouse, stool["leg"]).reserved == D(16)
    # when the rest is finished
    services.production_order_finish(actor=planner, company=company, order_id=order.pk)
    order.refresh_from_db()
    # then 5 more stools are in stock, all components are consumed, nothing stays reserved
    assert (order.state, order.produced_quantity) == ("done", D(9))
    assert available(company, warehouse, stool["stool"]).on_hand == D(9)
    assert available(company, warehouse, stool["leg"]).reserved == 0
    assert available(company, warehouse, stool["leg"]).on_hand == D(50 - 32)
    # second batch: 40 + 32 + 3 + 50 min × 30/h = 100; total 215 over 9 good stools
    assert order.actual_cost == D("215.0000") and order.unit_cost == D("23.8889")
    assert Event.objects.filter(name="production.order_done").count() == 1


def test_more_than_remains_cannot_be_produced(company, order):
    services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.production_order_produce(actor=None, company=company, order_id=order.pk, quantity=D(9), scrap_quantity=D(2))
    assert "Only 10" in refused.value.message


def test_a_draft_cannot_produce_and_a_done_order_cannot_be_confirmed(company, order):
    with pytest.raises(StateError):
        services.production_order_produce(actor=None, company=company, order_id=order.pk, quantity=D(1))
    services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    services.production_order_finish(actor=None, company=company, order_id=order.pk)
    with pytest.raises(StateError):
        services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    with pytest.raises(StateError):
        services.production_order_cancel(actor=None, company=company, order_id=order.pk)


def test_cancelling_releases_reservations_and_capacity(company, warehouse, stool, order):
    # given a confirmed order
    services.production_order_confirm(actor=None, company=company, order_id=order.pk)
    # when it is cancelled
    services.production_order_cancel(actor=None, company=company, order_id=order.pk)
    # then nothing stays reserved or booked
    assert ProductionOrder.objects.get(pk=order.pk).state == "cancelled"
    assert available(company, warehouse, stool["leg"]).reserved == 0
    assert not WorkCentreLoad.objects.exists()


def test_demand_makes_one_confirmed_order_per_reference(company, warehouse, stool, stock):
    # given stools made to order, with their components in stock
    stock(stool["seat"], 5)
    stock(stool["leg"], 20)
    stock(stool["screw"], 60)
    services.product_route_set(actor=None, company=company, product_id=stool["stool"].pk, route="make_to_order")
    ask = lambda: services.production_order_for_demand(  # noqa: E731
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(5), warehouse_id=warehouse.pk, reference="SO-7"
    )
    # when sales asks twice for the same order line
    first, again = ask(), ask()
    # then one order is confirmed for it
    assert first.pk == again.pk and first.state == "confirmed" and first.reference == "SO-7"
    # and a bought product gets no production order
    services.product_route_set(actor=None, company=company, product_id=stool["stool"].pk, route="buy")
    assert (
        services.production_order_for_demand(
            actor=None, company=company, product_id=stool["stool"].pk, quantity=D(1), warehouse_id=warehouse.pk, reference="SO-8"
        )
        is None
    )


def test_a_product_without_bom_cannot_be_ordered(company, warehouse, make_product):
    loose = make_product("LOOSE")
    with pytest.raises(ValidationFailed) as refused:
        services.production_order_create(
            actor=None, company=company, product_id=loose.pk, quantity=D(1), warehouse_id=warehouse.pk
        )
    assert refused.value.code == "no_bom"
