"""C4 on PostgreSQL, each clerk on its own connection: confirming or finishing an order twice at once does it once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connections

import spona.back.inventory.selectors as inventory_selectors
from spona.back.inventory.models import Reservation
from spona.back.production import services
from spona.back.production.models import ProductionOrder
from spona.core.errors import StateError
from spona.core.models import Event

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 10


def run_together(count: int, work):
    start = threading.Barrier(count)

    def call(i: int):
        try:
            start.wait(timeout=60)
            return work(i)
        except StateError:
            return "state"
        except Exception as exc:  # an unexpected error is a result to report, not a crash of the pool
            return f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(call, range(count)))


@pytest.fixture
def order(company, warehouse, stool, stock):
    stock(stool["seat"], 20)
    stock(stool["leg"], 60)
    stock(stool["screw"], 500)
    return services.production_order_create(
        actor=None, company=company, product_id=stool["stool"].pk, quantity=D(10), warehouse_id=warehouse.pk
    )


def test_c4_ten_concurrent_confirmations_confirm_once(on_postgres, company, warehouse, stool, order):
    # when 10 connections confirm the draft at the same moment
    def confirm(i: int) -> str:
        services.production_order_confirm(actor=None, company=company, order_id=order.pk)
        return "confirmed"

    tally = run_together(CLIENTS, confirm)
    print(f"\nC4 confirm (PostgreSQL, {CLIENTS} connections): {dict(tally)}")
    # then one confirmation, nine StateErrors, one reservation per component, one event
    assert tally == Counter({"confirmed": 1, "state": CLIENTS - 1})
    assert ProductionOrder.objects.get(pk=order.pk).state == "confirmed"
    assert Event.objects.filter(name="production.order_confirmed").count() == 1
    assert Reservation.objects.filter(reference=order.number).count() == 3


def test_c4_ten_concurrent_finishes_make_the_goods_once(on_postgres, company, warehouse, stool, order):
    # given the confirmed order
    services.production_order_confirm(actor=None, company=company, order_id=order.pk)

    # when 10 connections finish it at the same moment
    def finish(i: int) -> str:
        services.production_order_finish(actor=None, company=company, order_id=order.pk)
        return "finished"

    tally = run_together(CLIENTS, finish)
    print(f"\nC4 finish (PostgreSQL, {CLIENTS} connections): {dict(tally)}")
    # then it is finished once: 10 stools in stock, 32 legs consumed, one event
    assert tally == Counter({"finished": 1, "state": CLIENTS - 1})
    level = inventory_selectors.stock_level(
        user=None, company=company, product_id=stool["stool"].pk, location_id=warehouse.stock_location_id
    )
    assert level.on_hand == D(10)
    leg = inventory_selectors.stock_level(
        user=None, company=company, product_id=stool["leg"].pk, location_id=warehouse.stock_location_id
    )
    assert (leg.on_hand, leg.reserved) == (D(28), D(0))
    assert Event.objects.filter(name="production.order_done").count() == 1
