"""Retry a whole transaction when the database asks for it (QUALITY C1).

PostgreSQL aborts a transaction that lost a serialization conflict or was chosen as a deadlock
victim, and says so: the work is fine, it only has to be run again from the start. SQLite
reports "database is locked" when another writer held the lock past the timeout. In all three
cases ``retry_on_conflict`` rolls back, waits a little (exponential backoff with jitter, so the
contenders do not collide again in step) and runs the function again in a fresh transaction.

Only a whole transaction can be retried, so the helper refuses to run inside an atomic block.
Outside effects (mail, webhooks, enqueued jobs) belong in ``transaction.on_commit`` or the
event outbox: a rolled-back attempt discards them, so they happen once, for the attempt that
committed.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, models, transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

# serialization_failure and deadlock_detected: the transaction may succeed if run again.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(exc: BaseException) -> bool:
    """Tell whether a database error means "run the whole transaction again"."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # sqlite3 has no error codes on its exceptions; the message is the only signal.
    return type(cause).__module__ == "sqlite3" and "database is locked" in str(exc).lower()


def _refuse_nested(using: str) -> None:
    conn = transaction.get_connection(using)
    # Test cases wrap each test in atomic blocks of their own (marked _from_testcase), which
    # durable blocks are allowed to nest in; any other enclosing block is a caller's.
    if any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks):
        raise RuntimeError(
            "retry_on_conflict cannot run inside an atomic block: only a whole transaction can be retried. "
            "Call it from the outermost level (a view, a task, the CLI)."
        )


def retry_on_conflict(
    *,
    max_attempts: int = 5,
    base_delay: float = 0.05,
    max_delay: float = 2.0,
    using: str = DEFAULT_DB_ALIAS,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated function in its own transaction, retrying it on conflicts.

    Retries serialization failures and deadlocks (PostgreSQL) and a locked database (SQLite),
    up to ``max_attempts`` runs in all, sleeping about ``base_delay * 2**n`` seconds (jittered,
    at most ``max_delay``) between runs. Other errors, and the last conflict, are raised.
    As a helper: ``retry_on_conflict(max_attempts=3)(function)(*args)``.

    Raises RuntimeError when called inside an atomic block.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1.")

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            _refuse_nested(using)
            attempt = 1
            while True:
                try:
                    with transaction.atomic(using=using, durable=True):
                        return func(*args, **kwargs)
                except DatabaseError as exc:
                    if attempt >= max_attempts or not is_retryable(exc):
                        raise
                    delay = min(max_delay, base_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
                    logger.info(
                        "%s: %s on attempt %s of %s; retrying in %.3fs",
                        func.__qualname__,
                        type(exc.__cause__ or exc).__name__,
                        attempt,
                        max_attempts,
                        delay,
                    )
                    time.sleep(delay)
                    attempt += 1

        return run

    return decorate


# Run at the end of each outermost service, inside its transaction (``before_service_commit``).
_BEFORE_COMMIT: list[Callable[[], None]] = []


def before_service_commit(finish: Callable[[], None]) -> None:
    """Have ``finish`` run when a service (not one called by another service) has done its work, in its transaction.

    For bookkeeping that follows the service's writes (the search index): written in the same
    transaction, it costs no transaction of its own and goes or stays with the change.
    """
    if finish not in _BEFORE_COMMIT:
        _BEFORE_COMMIT.append(finish)


class _ServiceBlock(transaction.Atomic):
    """The atomic block of a service run by ``service_atomic`` (told apart from other blocks by its class)."""


def service_atomic(func: Callable[P, T]) -> Callable[P, T]:
    """Run a service in a transaction, like ``@transaction.atomic``, without a savepoint inside another service.

    Called on its own (or from a view, a task, a test, or a block of the caller's), it opens a
    transaction or a savepoint as usual, so a caller may catch its error and go on. Called
    directly by another such service, whose transaction already makes the whole change atomic,
    it joins that transaction: a savepoint would cost two statements and guard nothing, since
    the calling service lets the error through and its own block rolls everything back. Should
    the caller catch the error anyway, Django marks the transaction for rollback and refuses
    further queries, rather than commit half of the inner service's work. The outermost service
    runs the ``before_service_commit`` functions last, in its transaction.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        blocks = transaction.get_connection().atomic_blocks
        within_service = bool(blocks) and isinstance(blocks[-1], _ServiceBlock)
        with _ServiceBlock(DEFAULT_DB_ALIAS, savepoint=not within_service, durable=False):
            result = func(*args, **kwargs)
            if not within_service:
                for finish in _BEFORE_COMMIT:
                    finish()
            return result

    return run


def unique_row(queryset: models.QuerySet[M, Any]) -> M | None:
    """The row a filter on a unique key finds, or None: ``first()`` without its ORDER BY.

    With only one row to find, the order is moot, and building it costs Django a pass over
    every selected column (all of them, joined rows' too, for a row read with its relations).
    """
    return next(iter(queryset.order_by()[:1]), None)
