"""The public lead form at /forms/lead/<company code>/: anyone may send it, nobody needs a login.

Spam protection: a honeypot field people do not see, a signed time stamp so that a form posted
faster than a person can fill it is dropped, and a per-address rate limit in the shared cache.
A caught bot sees the same thank-you page as a person, so it learns nothing. The form is served
by Spona itself (companies link to it), so it keeps Django's CSRF protection.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from spona.core.errors import ApplicationError, NotFound
from spona.front.crm import selectors, services
from spona.front.crm.forms import PublicLeadForm
from spona.web.client import client_ip
from spona.web.views.base import apply_error

DEFAULT_RATE_LIMIT = 5  # posts per address and window; settings.CRM_LEAD_FORM_RATE overrides
RATE_WINDOW = 600  # seconds


def _over_limit(request: HttpRequest, code: str) -> bool:
    """Count this post against the address; True once it exceeds the limit in the window."""
    key = "crm:leadform:" + hashlib.sha256(f"{code}|{client_ip(request)}".encode()).hexdigest()[:32]
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        return cache.incr(key) > getattr(settings, "CRM_LEAD_FORM_RATE", DEFAULT_RATE_LIMIT)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, RATE_WINDOW)
        return False


@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest, code: str) -> HttpResponse:
    """Show the form, or take a lead from it into the company's CRM."""
    try:
        company = selectors.company_for_form(code=code)
    except NotFound:
        raise Http404 from None
    if request.method == "GET":
        form = PublicLeadForm(initial={"started": PublicLeadForm.stamp()})
        return render(request, "crm/public_lead_form.html", {"form": form, "company": company})
    if _over_limit(request, code):
        return render(request, "crm/public_lead_form.html", {"company": company, "limited": True}, status=429)
    form = PublicLeadForm(request.POST)
    if form.is_valid():
        if form.is_spam():
            return render(request, "crm/public_lead_form.html", {"company": company, "thanks": True})
        data = form.cleaned_data
        try:
            services.lead_create(
                actor=None,
                company=company,
                data=services.LeadInput(
                    contact_name=data["contact_name"],
                    company_name=data["company_name"],
                    email=data["email"],
                    phone=data["phone"],
                    country=data["country"],
                    notes=data["notes"],
                    source="web_form",
                ),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return render(request, "crm/public_lead_form.html", {"company": company, "thanks": True})
    # The re-shown form keeps its first stamp: a person correcting a field is not slowed down again.
    return render(request, "crm/public_lead_form.html", {"form": form, "company": company}, status=422)
