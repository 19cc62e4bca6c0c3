"""The home dashboard and the company switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spona.core import selectors
from spona.web.views.base import can, company_view, safe_next


@company_view("core.view_company")
def home(request: HttpRequest) -> HttpResponse:
    """Show the current company at a glance: parties by role, newest parties, latest activity, outbox health for admins."""
    company = request.company  # type: ignore[attr-defined]
    context = {
        "counts": selectors.party_counts(user=request.user, company=company),  # type: ignore[arg-type]
        "recent": selectors.party_recent(user=request.user, company=company, limit=6),  # type: ignore[arg-type]
        "activity": selectors.timeline_recent(user=request.user, company=company, limit=8),  # type: ignore[arg-type]
    }
    if can(request, "core.manage_events"):
        context["outbox"] = selectors.outbox_stats(user=request.user, company=company)  # type: ignore[arg-type]
    return render(request, "web/home.html", context)


@login_required
@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    """Work in another company; only companies the user is a member of can be chosen."""
    wanted = request.POST.get("company", "")
    company = next((c for c in selectors.company_list(user=request.user) if str(c.pk) == wanted), None)  # type: ignore[arg-type]
    if company is None:
        messages.error(request, _("You are not a member of that company."))
    else:
        request.session["company_id"] = company.pk
        messages.success(request, _("You are now working in %(company)s.") % {"company": company.name})
    return redirect(safe_next(request, reverse("web:home")))
