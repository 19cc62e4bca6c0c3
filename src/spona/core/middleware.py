from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from spona.core import context
from spona.core.permissions import resolve_company

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Bind a request id (echoed as X-Request-ID) and resolve the company the user works in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        with context.bound_request_id(incoming if _SAFE_ID.match(incoming) else None) as rid:
            request.request_id = rid  # type: ignore[attr-defined]
            request.company = resolve_company(request)  # type: ignore[attr-defined]
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            return response
