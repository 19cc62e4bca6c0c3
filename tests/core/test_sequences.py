"""Gapless per-company number series (QUALITY N1)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction

from spona.core import services
from spona.core.models import Sequence

TAKERS = 50


class RolledBack(Exception):
    """Raised by a taker after it got its number, to roll its transaction back."""


def rolls_back(i: int) -> bool:
    return i % 10 == 0  # 10 % of the takers


def assert_gapless(committed: list[int]) -> None:
    assert len(committed) == len(set(committed)), "duplicate numbers"
    assert sorted(committed) == list(range(1, len(committed) + 1)), "gap in the numbers"


def test_numbers_are_gapless_when_some_transactions_roll_back(company):
    # given one series and 50 documents, 10 % of whose transactions fail after taking a number
    committed = []
    for i in range(TAKERS):
        # when each takes a number (one writer at a time, as on SQLite)
        try:
            with transaction.atomic():
                number = services.sequence_next(company=company, code="invoice", prefix="INV-", padding=4)
                if rolls_back(i):
                    raise RolledBack
            committed.append(int(number.removeprefix("INV-")))
        except RolledBack:
            pass
    # then the committed numbers are exactly 1..N: the rolled-back ones were given back
    print(f"\nN1 (sequential): {len(committed)} committed, {TAKERS - len(committed)} rolled back, 0 gaps, 0 duplicates")
    assert len(committed) == 45
    assert_gapless(committed)
    assert Sequence.objects.get(company=company, code="invoice").next_number == 46


def test_numbers_are_formatted_with_prefix_and_padding(company):
    with transaction.atomic():
        assert services.sequence_next(company=company, code="order", prefix="SO-", padding=5) == "SO-00001"
        assert services.sequence_next(company=company, code="order") == "SO-00002"


def test_series_are_separate_per_company_and_code(company, other_company):
    with transaction.atomic():
        assert services.sequence_next(company=company, code="a", prefix="A") == "A00001"
        assert services.sequence_next(company=company, code="b", prefix="B") == "B00001"
        assert services.sequence_next(company=other_company, code="a", prefix="A") == "A00001"
        assert services.sequence_next(company=company.pk, code="a") == "A00002"


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused(company):
    # A number taken in autocommit mode would be committed even if the document were never saved.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.sequence_next(company=company, code="invoice")
    assert not Sequence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_n1_fifty_concurrent_takers_get_gapless_numbers(company, on_postgres):
    # given 50 connections that start together on a series nobody has used yet,
    # 10 % of which roll back after taking their number
    start = threading.Barrier(TAKERS)

    def take(i: int) -> int | None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                number = services.sequence_next(company=company.pk, code="invoice")
                if rolls_back(i):
                    raise RolledBack
            return int(number)
        except RolledBack:
            return None
        finally:
            connections.close_all()

    # when they all take a number at once
    with ThreadPoolExecutor(max_workers=TAKERS) as pool:
        results = list(pool.map(take, range(TAKERS)))
    committed = [n for n in results if n is not None]
    # then the committed numbers are exactly 1..N, no duplicate, no gap
    print(
        f"\nN1 (PostgreSQL, {TAKERS} concurrent connections): {len(committed)} committed, "
        f"{results.count(None)} rolled back, numbers 1..{max(committed)}, 0 gaps, 0 duplicates"
    )
    assert len(committed) == 45
    assert_gapless(committed)
    assert Sequence.objects.get(company=company, code="invoice").next_number == 46
