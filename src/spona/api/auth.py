"""Who is calling: a program with a personal access token, or a browser with its session.

Either way the caller becomes ``request.user`` and the company they work in ``request.company``,
as in the web UI, so an endpoint reads both without knowing how the caller signed in.
``request.auth`` is the token for token calls and the user for session calls.

- Token: ``Authorization: Bearer spona_pat_…``; the token's company is the company of the
  call; a ``read`` token may only read.
- Session: the company chosen in the UI (``request.company``); unsafe methods need the CSRF
  token in ``X-CSRFToken``.

``X-Spona-Company`` may name the company to work in, but only one the caller is a member of
(for a token, only the token's own): a call meant for another company is refused rather than
quietly run in the default one. Inactive users and users without a staff role (portal users)
get 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from spona.core import selectors, services
from spona.core.errors import PermissionDenied
from spona.core.models import Company, PersonalAccessToken, User
from spona.core.permissions import has_perm

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _admit(request: HttpRequest, user: User, company: Company | None, *, via_token: bool) -> None:
    if not user.is_active:
        raise PermissionDenied("This account is deactivated.", code="account_inactive")
    if company is None or not company.is_active:
        raise PermissionDenied("You are not a member of an active company.", code="no_company")
    wanted = (request.headers.get("X-Spona-Company") or "").strip()
    if wanted and wanted != str(company.pk):
        detail = (
            f"This token works only in company {company.pk}; create a token for the other company."
            if via_token
            else "X-Spona-Company names a company you are not a member of."
        )
        raise PermissionDenied(detail, code="company_refused")
    if not has_perm(user, "core.use_api", company):
        raise PermissionDenied("The API is for staff; your account has no staff role in this company.")
    request.user = user
    request.company = company  # type: ignore[attr-defined]


class TokenAuth(HttpBearer):
    """Personal access tokens (``Authorization: Bearer spona_pat_…``), for programs."""

    def authenticate(self, request: HttpRequest, token: str) -> PersonalAccessToken:
        pat = selectors.token_by_plaintext(plaintext=token.strip())
        if pat is None:
            raise AuthenticationError(message="This token is not valid.")
        if pat.revoked_at is not None:
            raise AuthenticationError(message="This token was revoked.")
        if pat.expires_at is not None and pat.expires_at <= timezone.now():
            raise AuthenticationError(message="This token has expired.")
        _admit(request, pat.user, pat.company, via_token=True)
        if request.method not in SAFE_METHODS and pat.scope != PersonalAccessToken.Scope.WRITE:
            raise PermissionDenied("This token may only read; create a token with the write scope.", code="insufficient_scope")
        services.token_record_use(token=pat)
        return pat


class SessionAuth(APIKeyCookie):
    """The browser's session cookie, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells ninja's docs page to send the CSRF token; the check itself is below,
        # after the session is known, so that an anonymous call answers 401 rather than 403.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise PermissionDenied(
                "The CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.", code="csrf_failed"
            )
        _admit(request, user, getattr(request, "company", None), via_token=False)
        return user
