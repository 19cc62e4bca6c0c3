"""C4 on PostgreSQL, each click on its own connection: twenty confirmations of one order confirm it once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connections

from spona.back.inventory.models import Reservation, Transfer
from spona.core.errors import StateError
from spona.core.models import Event
from spona.front.sales import services
from tests.front.sales.world import sales_world

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, work):
    """Run ``work(i)`` in ``count`` threads released at once; each thread closes its connection."""
    start = threading.Barrier(count)

    def call(i: int):
        try:
            start.wait(timeout=60)
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_c4_twenty_concurrent_confirmations_confirm_once(on_postgres, company):
    # given a draft order of 3 chairs
    world = sales_world(company)
    order = services.order_create(
        actor=world.seller,
        company=company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(3))],
    )

    # when twenty clicks confirm it at once
    def confirm(_i: int) -> str:
        try:
            services.order_confirm(actor=world.seller, company=company, order_id=order.pk)
        except StateError:
            return "refused"
        return "confirmed"

    outcomes = run_together(20, confirm)

    # then one confirms, nineteen are refused, and there is one delivery, one reservation of 3 and one event
    assert sorted(outcomes).count("confirmed") == 1 and outcomes.count("refused") == 19
    assert Transfer.objects.filter(company=company, reference=order.number).count() == 1
    assert [r.quantity for r in Reservation.objects.filter(company=company, product=world.products[0])] == [D(3)]
    assert Event.objects.filter(name="sales.order_confirmed", payload__order_id=order.pk).count() == 1
