"""Log in (throttled), log out, reset and change the password."""

from __future__ import annotations

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

from spona.core import throttle
from spona.core.permissions import company_ids
from spona.web.client import client_ip
from spona.web.forms import LoginForm
from spona.web.views.base import safe_next


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
                auth.login(request, user)
                # A customer's contact has no staff home: their start page is the customer portal.
                landing = reverse("web:home") if company_ids(user) else reverse("portal:home")
                response = redirect(safe_next(request, landing))
                if user.language in dict(settings.LANGUAGES):
                    response.set_cookie(
                        settings.LANGUAGE_COOKIE_NAME,
                        user.language,
                        max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE,
                    )
                return response
    return render(request, "web/login.html", {"form": form, "next": safe_next(request, "")}, status=status)


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
