"""``Idempotency-Key`` on creating calls (QUALITY C3): a retried POST has its effect once.

A client that may retry a POST (a timeout, a lost connection) sends a key of its choosing, the
same on every retry. The first call with a key runs; every later call by the same user with
that key gets the stored answer back, byte for byte, with ``Idempotent-Replayed: true``.
The same key with a different request (method, path, company or body bytes) is refused with
422. Without the header a POST is not idempotent: each call has its effect.

How one effect is guaranteed under concurrency: the call inserts its record (unique per user
and key) in the same database transaction that runs the operation and stores its answer. A
concurrent duplicate's insert waits on the unique index until that transaction ends: after a
commit it fails and replays the stored answer; after a rollback (the first call failed with a
server error, which is never stored) it succeeds and runs the operation itself. Answers below
500, refusals included, are stored: they are what the operation decided.

Records older than ``RETENTION`` are forgotten, so a key may be reused after a day.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from spona.api.problems import problem_response
from spona.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
# Printable ASCII without spaces: UUIDs and the like; the model stores up to 200 characters.
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_KEY = re.compile(KEY_PATTERN)

HEADER_DESCRIPTION = (
    "A key of your choosing (e.g. a UUID), the same on every retry of this call: the first call runs, "
    "retries by the same user get its stored answer with `Idempotent-Replayed: true`; the same key with a "
    "different request answers 422. Without it the call is not idempotent. Keys are kept for 24 hours."
)


def _request_hash(request: HttpRequest, body_hash: str) -> str:
    company = getattr(request, "company", None)
    identity = f"{request.method} {request.get_full_path()}\n{company.pk if company else ''}\n{body_hash}"
    return hashlib.sha256(identity.encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _claim(request: HttpRequest, key: str, body_hash: str) -> IdempotencyRecord | HttpResponse:
    """Insert this call's record, or answer from the record of an earlier call with the key."""
    request_hash = _request_hash(request, body_hash)
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=request.user, key=key, method=request.method, path=request.path[:300], request_hash=request_hash
                )
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if earlier is None:
            continue  # its call failed and rolled back between our insert and our read: try again
        if earlier.created_at < timezone.now() - RETENTION:
            earlier.delete()
            continue
        if earlier.request_hash != request_hash:
            return problem_response(
                422,
                f"This {HEADER} was used for a different request; use a new key for a new request.",
                code="idempotency_key_reused",
                errors={HEADER: ["Already used for a different request."]},
            )
        return _replay(earlier)
    return problem_response(409, "Another call with this key is being processed; retry shortly.", code="idempotency_busy")


def idempotent_run(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an operation's ``run`` (ninja "view" decorator): one transaction per keyed POST.

    The transaction spans the operation and the storing of its answer; ``claim_key`` (applied
    to the view function, after authentication and validation) inserts the record in it.
    """

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        if not _KEY.match(key):
            return problem_response(
                422,
                f"{HEADER} must be 1 to 200 printable characters without spaces.",
                errors={HEADER: ["Use 1 to 200 printable ASCII characters without spaces, e.g. a UUID."]},
            )
        # Read the body now: once a form body has been parsed, Django no longer gives its bytes.
        try:
            body_hash = hashlib.sha256(request.body).hexdigest()
        except RequestDataTooBig:
            return problem_response(413, "The request body is too large.")
        with transaction.atomic():
            request._spona_idempotency = (key, body_hash)  # type: ignore[attr-defined]
            response = run(request, *args, **kwargs)
            record: IdempotencyRecord | None = getattr(request, "_spona_idempotency_record", None)
            if record is None:
                return response  # refused before the operation ran (authentication, validation) or a replay
            if response.status_code >= 500 or not isinstance(response, HttpResponse):
                # Not an answer worth keeping: undo the call's effects and the claim together,
                # so that a waiting duplicate or a later retry runs the operation again.
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = response.content
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status_code", "response_body", "content_type"])
            return response

    return wrapper


def claim_key(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an endpoint function (ninja "operation" decorator): claim the key or answer from it."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        pending: tuple[str, str] | None = getattr(request, "_spona_idempotency", None)
        if pending is None:
            return view_func(request, *args, **kwargs)
        claimed = _claim(request, *pending)
        if isinstance(claimed, HttpResponse):
            return claimed
        request._spona_idempotency_record = claimed  # type: ignore[attr-defined]
        return view_func(request, *args, **kwargs)

    return wrapper
