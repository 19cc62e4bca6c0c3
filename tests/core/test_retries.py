"""Retrying whole transactions on serialization failures, deadlocks and a locked database (QUALITY C1)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from spona.core.db import is_retryable, retry_on_conflict
from spona.core.models import Sequence


def conflict(sqlstate_error: Exception) -> OperationalError:
    """A Django database error caused by a driver error, as Django raises it."""
    error = OperationalError(str(sqlstate_error))
    error.__cause__ = sqlstate_error
    return error


def serialization_failure() -> OperationalError:
    errors = pytest.importorskip("psycopg.errors")
    return conflict(errors.SerializationFailure("could not serialize access due to concurrent update"))


def database_locked() -> OperationalError:
    return conflict(sqlite3.OperationalError("database is locked"))


def failing(times: int, error: Callable[[], Exception], sent: list[str], calls: list[int]) -> Callable[[], str]:
    """A unit of work that registers an outside effect, then conflicts ``times`` times before committing."""

    def work() -> str:
        calls.append(1)
        transaction.on_commit(lambda: sent.append("mail"))
        if len(calls) <= times:
            raise error()
        return "done"

    return work


def test_errors_that_mean_run_it_again_are_recognised():
    assert is_retryable(database_locked())
    assert is_retryable(serialization_failure())
    errors = pytest.importorskip("psycopg.errors")
    assert is_retryable(conflict(errors.DeadlockDetected("deadlock detected")))
    assert not is_retryable(conflict(errors.UniqueViolation("duplicate key")))
    assert not is_retryable(OperationalError("no such table: x"))
    assert not is_retryable(ValueError("database is locked"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("error", [database_locked, serialization_failure], ids=["sqlite-locked", "serialization"])
def test_a_conflict_is_retried_and_its_side_effects_happen_once(error):
    # given work that conflicts twice, then commits, and sends mail on commit
    sent: list[str] = []
    calls: list[int] = []
    work = retry_on_conflict(max_attempts=5, base_delay=0.001)(failing(2, error, sent, calls))
    # when it runs
    result = work()
    # then it ran three times and the mail went out once, for the attempt that committed
    assert result == "done"
    assert len(calls) == 3
    assert sent == ["mail"]


@pytest.mark.django_db(transaction=True)
def test_after_five_conflicts_the_error_surfaces_and_nothing_is_sent():
    sent: list[str] = []
    calls: list[int] = []
    work = retry_on_conflict(max_attempts=5, base_delay=0.001)(failing(99, database_locked, sent, calls))
    with pytest.raises(OperationalError, match="database is locked"):
        work()
    assert len(calls) == 5
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_other_errors_are_not_retried():
    calls: list[int] = []

    @retry_on_conflict(base_delay=0.001)
    def duplicate() -> None:
        calls.append(1)
        raise IntegrityError("duplicate key value violates unique constraint")

    with pytest.raises(IntegrityError):
        duplicate()
    assert calls == [1]


def test_it_refuses_to_run_inside_an_atomic_block(db):
    @retry_on_conflict()
    def work() -> str:
        return "done"

    # Only the test's own wrapping transaction is open: allowed, as in production code.
    assert work() == "done"
    with transaction.atomic(), pytest.raises(RuntimeError, match="only a whole transaction can be retried"):
        work()


# Real conflicts on PostgreSQL ---------------------------------------------------------------


def run_in_threads(*targets: Callable[[], None]) -> list[BaseException]:
    """Run each target in its own thread and connection; return the exceptions they raised."""
    raised: list[BaseException] = []

    def run(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:
            raised.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return raised


@pytest.mark.django_db(transaction=True)
def test_c1_serializable_conflict_is_retried_with_no_lost_update_and_no_duplicate_effect(company, on_postgres):
    # given a counter and two SERIALIZABLE transactions that both read it before either writes
    counter = Sequence.objects.create(company=company, code="counter")
    both_read = threading.Barrier(2)
    attempts: list[str] = []
    sent: list[str] = []

    def increment(name: str) -> Callable[[], None]:
        @retry_on_conflict(max_attempts=5, base_delay=0.01)
        def work() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            value = Sequence.objects.get(pk=counter.pk).next_number
            attempts.append(name)
            if attempts.count(name) == 1:
                both_read.wait(timeout=30)
            Sequence.objects.filter(pk=counter.pk).update(next_number=value + 1)
            transaction.on_commit(lambda: sent.append(name))

        return work

    # when both increment it
    raised = run_in_threads(increment("a"), increment("b"))
    # then the loser was retried and succeeded: no lost update, each effect sent once
    print(f"\nC1 serialization: attempts={len(attempts)} (1 retry), effects={sorted(sent)}, duplicates=0")
    assert raised == []
    assert Sequence.objects.get(pk=counter.pk).next_number == 3
    assert len(attempts) == 3
    assert sorted(sent) == ["a", "b"]


@pytest.mark.django_db(transaction=True)
def test_c1_deadlock_victim_is_retried(company, on_postgres):
    # given two rows that two transactions lock in opposite orders
    first = Sequence.objects.create(company=company, code="first")
    second = Sequence.objects.create(company=company, code="second")
    both_locked_one = threading.Barrier(2)
    attempts: list[str] = []
    sent: list[str] = []

    def lock_in_order(name: str, order: tuple[int, int]) -> Callable[[], None]:
        @retry_on_conflict(max_attempts=5, base_delay=0.01)
        def work() -> None:
            attempts.append(name)
            Sequence.objects.filter(pk=order[0]).update(next_number=Sequence.objects.get(pk=order[0]).next_number + 1)
            if attempts.count(name) == 1:
                both_locked_one.wait(timeout=30)
            Sequence.objects.filter(pk=order[1]).update(next_number=Sequence.objects.get(pk=order[1]).next_number + 1)
            transaction.on_commit(lambda: sent.append(name))

        return work

    # when they run at once, PostgreSQL picks one as the deadlock victim
    raised = run_in_threads(lock_in_order("a", (first.pk, second.pk)), lock_in_order("b", (second.pk, first.pk)))
    # then the victim was retried: both committed, each effect once
    print(f"\nC1 deadlock: attempts={len(attempts)} (1 retry), effects={sorted(sent)}, duplicates=0")
    assert raised == []
    assert len(attempts) == 3
    assert sorted(sent) == ["a", "b"]
    assert set(Sequence.objects.filter(pk__in=[first.pk, second.pk]).values_list("next_number", flat=True)) == {3}
