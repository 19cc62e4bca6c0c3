"""Log in (throttled, with a one-time code as second step when the user turned it on), log out,
reset and change the password."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from spona.core import selectors, services, throttle
from spona.core.errors import ApplicationError
from spona.core.models import User
from spona.core.permissions import company_ids
from spona.web.client import client_ip
from spona.web.forms import CodeForm, LoginForm
from spona.web.views.base import apply_error, safe_next

# Between the password and the code, the session remembers who passed the first step, for a while.
PENDING = "spona_login_pending"
PENDING_SECONDS = 300


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Log in with e-mail and password; refused for a while after too many failures (SEC10)."""
    if request.user.is_authenticated:
        return redirect(safe_next(request, reverse("web:home")))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        ip = client_ip(request)
        try:
            throttle.check(email=email, client_ip=ip)
        except throttle.LoginThrottled as exc:
            form.add_error(None, exc.message)
            status = 429
        else:
            user = auth.authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(email=email, client_ip=ip)
                form.add_error(None, _("The e-mail address or the password is wrong."))
            else:
                throttle.reset(email=email, client_ip=ip)
                target = safe_next(request, "")
                if selectors.two_factor_enabled(user):
                    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": target, "at": time.time()}
                    return redirect("web:login_code")
                auth.login(request, user)
                return _logged_in(request, user, target)
    return render(request, "web/login.html", {"form": form, "next": safe_next(request, "")}, status=status)


def _logged_in(request: HttpRequest, user: User, target: str) -> HttpResponse:
    """Send a user who just logged in to ``target`` (or their start page), in their language."""
    # A customer's contact has no staff home: their start page is the customer portal.
    landing = reverse("web:home") if company_ids(user) else reverse("portal:home")
    response = redirect(target or landing)
    if user.language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: the code from the user's app, or a recovery code (throttled)."""
    pending = request.session.get(PENDING) or {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("Log in again: the time for the code ran out."))
        return redirect("web:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.login_code_verify(user=user, code=form.cleaned_data["code"])
        except throttle.LoginThrottled as exc:
            form.add_error(None, exc.message)
            status = 429
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            del request.session[PENDING]
            auth.login(request, user, backend=pending["backend"])
            if kind == "recovery":
                messages.warning(
                    request,
                    _("You logged in with a recovery code; %(count)d are left. Renew them on the two-factor page.")
                    % {"count": selectors.recovery_codes_left(user)},
                )
            return _logged_in(request, user, pending.get("next", ""))
    return render(request, "web/login_code.html", {"form": form}, status=status)


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, so a link on another site cannot log the user out)."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out."))
        return response


password_reset = auth_views.PasswordResetView.as_view(
    template_name="web/password_reset_form.html",
    email_template_name="web/email/password_reset.txt",
    subject_template_name="web/email/password_reset_subject.txt",
    success_url=reverse_lazy("web:password_reset_done"),
    extra_context={"title": gettext_lazy("Reset your password")},
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="web/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="web/password_reset_confirm.html", success_url=reverse_lazy("web:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(template_name="web/password_reset_complete.html")
password_change = auth_views.PasswordChangeView.as_view(
    template_name="web/password_change.html",
    success_url=reverse_lazy("web:password_change_done"),
    extra_context={"title": gettext_lazy("Change password"), "cancel_url": reverse_lazy("web:home")},
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html")
