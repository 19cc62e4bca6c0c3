"""Reads remembered for the rest of one database transaction, and forgotten with it.

Some questions are asked again and again inside one transaction with the same answer: does
this company automate this event? (asked for every event a service publishes). ``remember``
reads the answer once per transaction and key. The memo lives exactly as long as a commit hook
of its own is pending: it ends when the transaction commits or rolls back, and when a savepoint
taken before the read rolls back. Another process's change is seen by the next transaction,
as a fresh read would see it; a change made in this process calls ``forget`` for its key (the
owning app wires that to its models' saves and deletes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import transaction

T = TypeVar("T")

_local = threading.local()


class _Memo:
    def __init__(self) -> None:
        self.values: dict[Hashable, Any] = {}

    def end(self) -> None:
        """The commit hook: the transaction is over, so are its answers."""
        self.values.clear()


def _current() -> _Memo | None:
    """The memo of the running transaction: the last one made, if its commit hook is still pending."""
    memo: _Memo | None = getattr(_local, "memo", None)
    if memo is None:
        return None
    conn = transaction.get_connection()
    # Django drops the hooks of a transaction (or savepoint) that rolls back and runs them on commit.
    if not any(func == memo.end for _sids, func, _robust in conn.run_on_commit):
        return None
    return memo


def remember(key: Hashable, load: Callable[[], T]) -> T:
    """Return ``load()``, called at most once per transaction for ``key``; outside a transaction, every time."""
    if not transaction.get_connection().in_atomic_block:
        return load()
    memo = _current()
    if memo is None:
        memo = _local.memo = _Memo()
        transaction.on_commit(memo.end)
    if key not in memo.values:
        memo.values[key] = load()
    return memo.values[key]  # type: ignore[no-any-return]


def forget(key: Hashable) -> None:
    """Drop the remembered answer for ``key``: this process changed what it was read from."""
    memo: _Memo | None = getattr(_local, "memo", None)
    if memo is not None:
        memo.values.pop(key, None)
