"""What every view of the shell shares: login, company and permission checks, and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from spona.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from spona.core.permissions import has_perm

View = Callable[..., HttpResponse]


def company_view(permission: str) -> Callable[[View], View]:
    """Guard a view: a logged-in user, a current company, and ``permission`` in that company.

    Kernel errors that escape the view become the matching HTTP answer: NotFound is a 404 and
    PermissionDenied a 403, so another company's record looks exactly like a missing one.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            company = getattr(request, "company", None)
            if company is None or not has_perm(request.user, permission, company):  # type: ignore[arg-type]
                raise DjangoPermissionDenied
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404 from None
            except PermissionDenied:
                raise DjangoPermissionDenied from None

        guarded = login_required(wrapped)
        # Read by the route-matrix test (QUALITY SEC1), which checks every page against its permission.
        guarded.spona_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorator


def can(request: HttpRequest, permission: str) -> bool:
    """Tell whether the user holds ``permission`` in the current company (for buttons and sections)."""
    return has_perm(request.user, permission, getattr(request, "company", None))  # type: ignore[arg-type]


def apply_error(form: forms.BaseForm, exc: ApplicationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: field errors on their fields, the rest above the form.

    ``field_map`` renames service field names to form field names where they differ.
    """
    field_errors = exc.field_errors if isinstance(exc, ValidationFailed) else {}
    placed = False
    for name, messages in field_errors.items():
        target = (field_map or {}).get(name, name)
        if target in form.fields:
            for message in messages:
                form.add_error(target, message)
            placed = True
    unplaced = [m for name, msgs in field_errors.items() if (field_map or {}).get(name, name) not in form.fields for m in msgs]
    if not placed or unplaced:
        form.add_error(None, exc.message)
    for message in unplaced:
        if message != exc.message:
            form.add_error(None, message)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Return the ``next`` parameter when it points back into this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
