"""Every API error as problem JSON (RFC 9457), mapped once from Spona's error hierarchy.

A client reads ``status`` and ``code`` to decide what to do, ``detail`` to tell a person, and
``errors`` to mark fields; ``request_id`` ties a report to the server's log. Unexpected
exceptions answer 500 with no internals: the traceback goes to the log only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from spona.core import context
from spona.core.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Problem types are URNs: stable names that need no web site behind them.
TYPE_PREFIX = "urn:spona:problem:"

CODES_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_failed",
    429: "throttled",
    500: "server_error",
}


class Problem(Schema):
    """The body of every error answer (RFC 9457 problem details, with Spona's code and field errors)."""

    type: str = Field(description="A URN naming the kind of problem, e.g. urn:spona:problem:not_found.")
    title: str = Field(description="The HTTP status in words.")
    status: int
    detail: str = Field(description="What went wrong, in words a user can act on.")
    code: str = Field(description="A stable machine-readable code, e.g. conflict or validation_failed.")
    errors: dict[str, list[str]] = Field(description="Messages per input field; empty when no field is to blame.")
    request_id: str = Field(description="Quote it when reporting a problem; it is in the server's log.")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int, detail: str, *, code: str | None = None, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    """Build a problem JSON response; the request id comes from the request context."""
    the_code = code or CODES_BY_STATUS.get(status, "error")
    body = Problem(
        type=f"{TYPE_PREFIX}{the_code}",
        title=_title(status),
        status=status,
        detail=detail,
        code=the_code,
        errors=errors or {},
        request_id=context.request_id(),
    )
    return HttpResponse(body.model_dump_json(), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """Name a field as a client wrote it: ``query.limit``, ``name``, ``addresses.0.city``.

    ninja puts the parameter source and the body parameter's name in front of a body field's
    path; the client never wrote that name, so it is dropped.
    """
    parts = [str(p) for p in location]
    if parts and parts[0] == "body":
        parts = parts[2:]
    return ".".join(parts) or "body"


def _validation_problem(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "Invalid value.")))
    return problem_response(422, "Some input is not valid.", errors=errors)


def _application_problem(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    errors = exc.field_errors if isinstance(exc, ValidationFailed) else {}
    return problem_response(exc.status, exc.message, code=exc.code, errors=errors)


def _authentication_problem(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if exc.message != "Unauthorized" else "Sign in, or send a personal access token as a Bearer token."
    response = problem_response(401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="spona"'
    return response


def _http_problem(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, exc.message)


def _not_found_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(404, "Nothing was found at this address.")


def _forbidden_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(403, "You do not have permission to do this.")


def _django_validation_problem(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    failed = ValidationFailed.from_django(exc)
    return problem_response(422, failed.message, errors=failed.field_errors)


def _too_large_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(413, "The request body is too large.")


def _suspicious_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(400, "The request is malformed.")


def _server_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return problem_response(500, "Something went wrong on our side. Quote the request id if you report it.")


def install_exception_handlers(api: NinjaAPI) -> None:
    """Answer every error the API can raise with problem JSON, most specific class first."""
    api.add_exception_handler(Exception, _server_problem)
    api.add_exception_handler(ApplicationError, _application_problem)
    api.add_exception_handler(NinjaValidationError, _validation_problem)
    api.add_exception_handler(AuthenticationError, _authentication_problem)
    api.add_exception_handler(HttpError, _http_problem)
    api.add_exception_handler(Http404, _not_found_problem)
    api.add_exception_handler(DjangoPermissionDenied, _forbidden_problem)
    api.add_exception_handler(DjangoValidationError, _django_validation_problem)
    api.add_exception_handler(SuspiciousOperation, _suspicious_problem)
    api.add_exception_handler(RequestDataTooBig, _too_large_problem)


def answers_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a URL's view so that what ninja answers outside an operation is problem JSON too.

    That is a method the address does not serve (405) and the API's root address, which
    ninja answers by raising Http404.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = problem_response(405, f"{request.method} is not allowed here; use {allowed}.")
            response["Allow"] = allowed
        return response

    return wrapper


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Answer an address under the API that no endpoint serves."""
    return problem_response(404, "No API endpoint at this address; see /api/v1/docs.")
