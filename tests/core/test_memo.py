"""Answers remembered for one transaction: read once, forgotten at commit, rollback or on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from spona.core import memo

pytestmark = pytest.mark.django_db(transaction=True)


def counting() -> Callable[[], int]:
    """A loader that answers how many times it has been called."""
    reads: list[int] = []

    def load() -> int:
        reads.append(1)
        return len(reads)

    return load


def test_an_answer_is_read_once_per_transaction_and_again_in_the_next():
    load = counting()
    # when a transaction asks twice, then it reads once
    with transaction.atomic():
        assert (memo.remember("k", load), memo.remember("k", load)) == (1, 1)
    # when the next transaction asks, then it reads again (another process may have changed the answer)
    with transaction.atomic():
        assert memo.remember("k", load) == 2
    # and outside a transaction every question is a read
    assert (memo.remember("k", load), memo.remember("k", load)) == (3, 4)


def test_a_rolled_back_transaction_or_savepoint_takes_its_answers_along():
    load = counting()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        memo.remember("k", load)
        raise ZeroDivisionError
    with transaction.atomic():
        assert memo.remember("k", load) == 2
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            raise ZeroDivisionError
        # the rolled-back savepoint was taken after the read: the answer stays
        assert memo.remember("k", load) == 2
    with transaction.atomic():
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            memo.remember("k", load)
            raise ZeroDivisionError
        # read inside a savepoint that rolled back: read again
        assert memo.remember("k", load) == 4


def test_forget_makes_the_next_question_read_again():
    load = counting()
    with transaction.atomic():
        memo.remember("k", load)
        memo.remember("other", load)
        memo.forget("k")
        assert (memo.remember("k", load), memo.remember("other", load)) == (3, 2)
