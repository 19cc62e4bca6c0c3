"""Accepting an invitation: the contact chooses a password and is logged in to the portal."""

from __future__ import annotations

from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from spona.core.errors import ApplicationError
from spona.front.portal import services
from spona.front.portal.forms import AcceptForm
from spona.web.views.base import apply_error


@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Show who is invited and ask for a password; an expired, altered or used link says so."""
    try:
        invited = services.invitation_read(token)
    except ApplicationError as exc:
        return render(request, "portal/invitation.html", {"error": exc.message}, status=exc.status)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password"])
        except services.InvitationUsed as exc:
            return render(request, "portal/invitation.html", {"error": exc.message}, status=exc.status)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            auth.logout(request)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session["company_id"] = invited.company.pk
            messages.success(
                request,
                _("Welcome, %(name)s. This is your portal at %(company)s.")
                % {"name": user.full_name, "company": invited.company.name},
            )
            return redirect("portal:home")
    return render(request, "portal/invitation.html", {"invited": invited, "form": form}, status=422 if form.errors else 200)
