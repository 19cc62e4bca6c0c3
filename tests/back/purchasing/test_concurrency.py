"""C4 on PostgreSQL: twenty buyers confirming one purchase order at once confirm it once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import connections

from spona.back.inventory.models import Transfer
from spona.back.purchasing import services
from spona.back.purchasing.models import PurchaseOrder
from spona.core.errors import StateError
from spona.core.models import Event

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


def test_c4_twenty_concurrent_confirmations_confirm_once(on_postgres, world):
    # given one RFQ
    order = services.order_create(
        actor=world.buyer,
        company=world.company,
        data=services.OrderIn(
            supplier_id=world.supplier.pk,
            warehouse_id=world.warehouse.pk,
            lines=[services.LineIn(product_id=world.bolt.pk, quantity=D(100))],
        ),
    )
    clients = 20

    def confirm(i: int) -> str:
        try:
            services.order_confirm(actor=world.buyer, company=world.company, order_id=order.pk)
            return "confirmed"
        except StateError:
            return "state"
        except Exception as exc:
            return f"error: {type(exc).__name__}: {exc}"

    # when twenty connections confirm it at the same moment
    tally = Counter(run_together(clients, confirm))
    # then one confirms, nineteen are told it is no longer an RFQ; one receipt, one event
    receipts = Transfer.objects.filter(company=world.company, reference=order.number).count()
    events = Event.objects.filter(name="purchasing.order_confirmed").count()
    print(f"\nC4 (PostgreSQL, {clients} concurrent confirmations): {dict(tally)}; receipts {receipts}, events {events}")
    assert tally == Counter({"confirmed": 1, "state": 19})
    assert (PurchaseOrder.objects.get(pk=order.pk).state, receipts, events) == ("confirmed", 1, 1)
