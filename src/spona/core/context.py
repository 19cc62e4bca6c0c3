"""Per-request context (request id) that audit entries and events pick up without plumbing."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("spona_request_id", default="")


def request_id() -> str:
    return _request_id.get()


@contextmanager
def bound_request_id(value: str | None = None) -> Iterator[str]:
    """Bind a request id for the duration of a request, job or CLI command."""
    rid = value or uuid.uuid4().hex
    token = _request_id.set(rid)
    try:
        yield rid
    finally:
        _request_id.reset(token)
