"""The user's own two-factor login page: set up an authenticator app, turn it off, renew recovery codes.

Staff reach it in the shell's layout (``web:two_factor``); a customer's contact reaches the same
steps in the portal's layout (``portal:two_factor``), through ``two_factor_page``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from spona.core import selectors, services, throttle
from spona.core.errors import ApplicationError
from spona.core.models import User
from spona.core.permissions import company_ids
from spona.web.forms import CodeForm, PasswordConfirmForm
from spona.web.views.base import apply_error


def two_factor_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Show the two-factor state of the logged-in user and carry out the step they posted.

    ``action`` is one of: start (draw a secret), enable (confirm it with a code), disable and renew
    (both confirmed with the password). New recovery codes are shown in the answer to the POST
    itself, once: they are never stored in a readable form, not even in the session.
    """
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    code_form = CodeForm(request.POST if action == "enable" else None)
    password_form = PasswordConfirmForm(request.POST if action in ("disable", "renew") else None)
    recovery_codes: list[str] = []
    status = 200
    try:
        if action == "start":
            services.totp_setup_start(actor=user)
            return redirect(request.path)
        if action == "enable" and code_form.is_valid():
            recovery_codes = services.totp_enable(actor=user, code=code_form.cleaned_data["code"])
            messages.success(request, _("Two-factor login is on. Keep your recovery codes somewhere safe."))
        if action == "disable" and password_form.is_valid():
            services.totp_disable(actor=user, password=password_form.cleaned_data["password"])
            messages.success(request, _("Two-factor login is off."))
            return redirect(request.path)
        if action == "renew" and password_form.is_valid():
            recovery_codes = services.recovery_codes_renew(actor=user, password=password_form.cleaned_data["password"])
            messages.success(request, _("Your old recovery codes no longer work; here are the new ones."))
    except throttle.LoginThrottled as exc:
        code_form.add_error(None, exc.message)
        status = 429
    except ApplicationError as exc:
        apply_error(code_form if action == "enable" else password_form, exc)
        status = exc.status
    if code_form.errors or password_form.errors:
        status = status if status != 200 else 422
    page = {
        "enabled": selectors.two_factor_enabled(user),
        "setup": selectors.totp_pending_setup(user),
        "codes_left": selectors.recovery_codes_left(user),
        "recovery_codes": recovery_codes,
        "code_form": code_form,
        "password_form": password_form,
        **context,
    }
    return render(request, template, page, status=status)


@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The staff user's two-factor page; a customer's contact is sent to the portal's."""
    if not company_ids(request.user):  # type: ignore[arg-type]
        return redirect("portal:two_factor")
    return two_factor_page(request, "web/two_factor.html", {"title": _("Two-factor login")})
