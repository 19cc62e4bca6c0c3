"""Concurrency on PostgreSQL, each approver on its own connection: one decision per step (C4)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections

from spona.bridge.automation import services
from spona.bridge.automation.models import ApprovalStep
from spona.core.errors import StateError
from spona.core.models import Event
from tests.factories import member

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


def test_c4_ten_managers_deciding_at_once_decide_once(on_postgres, company, sales):
    # given a pending one-step request and ten managers
    managers = [member(company, "management") for _ in range(10)]
    request = services.approval_request(
        actor=sales,
        company=company,
        kind="sales.discount",
        record_type="sales.quotation",
        record_id=1,
        subject="Discount on Q-1",
        amount=Decimal("900.00"),
        currency="EUR",
    )

    def decide(i: int) -> str:
        try:
            services.approval_decide(
                actor=managers[i], company=company, request_id=request.pk, approve=i % 2 == 0, comment=f"#{i}"
            )
            return "decided"
        except StateError:
            return "already"

    # when all ten press approve or reject at the same moment
    tally = Counter(run_together(10, decide))
    # then exactly one decision is recorded, the others are told it is decided, one event
    print(f"\nC4 (PostgreSQL, 10 concurrent decisions of one step): {dict(tally)}")
    assert tally == Counter({"decided": 1, "already": 9})
    assert ApprovalStep.objects.filter(request=request).exclude(decided_by=None).count() == 1
    assert Event.objects.filter(name="automation.approval_decided").count() == 1
