"""Staff pages of the portal: a customer's portal logins, inviting a contact, deactivating a login."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spona.core import selectors as core_selectors
from spona.core import services as core
from spona.core.errors import ApplicationError
from spona.core.models import ContactPoint, Party
from spona.front.portal import selectors, services
from spona.front.portal.forms import InviteForm
from spona.web.views.base import apply_error, can, company_view


def portal_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """The 360° page's portal panel: shown for customer organisations, with their logins."""
    if party.is_person() or not any(r.role == "customer" for r in party.roles.all()):
        return None
    logins = list(selectors.customer_logins(user=request.user, company=request.company, customer_id=party.pk))  # type: ignore[arg-type,attr-defined]
    return {"logins": logins, "active": sum(u.is_active for u in logins)}


def _contacts(request: HttpRequest, customer: Party) -> list[dict[str, str]]:
    """People who work at the customer and have an e-mail address: one click fills the invitation."""
    links = core_selectors.party_relationships(user=request.user, company=request.company, party=customer)  # type: ignore[arg-type,attr-defined]
    people = {
        link.from_party_id: link.from_party for link in links if link.kind == "works_at" and link.to_party_id == customer.pk
    }
    emails: dict[int, str] = {}
    for party_id, value in (
        ContactPoint.objects.filter(party_id__in=people, kind=ContactPoint.Kind.EMAIL)
        .order_by("-is_primary", "pk")
        .values_list("party_id", "value")
    ):
        emails.setdefault(party_id, value)
    return [
        {"name": person.name, "email": emails[pk], "language": person.language}
        for pk, person in people.items()
        if person.is_person() and pk in emails
    ]


@require_http_methods(["GET", "POST"])
@company_view("portal.invite")
def customer_access(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's portal logins, and the form that invites one more contact."""
    company = request.company  # type: ignore[attr-defined]
    customer = core_selectors.party_get(user=request.user, company=company, party_id=pk)  # type: ignore[arg-type]
    form = InviteForm(request.POST or None, initial={"language": customer.language or "en"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_send(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                customer_id=customer.pk,
                email=data["email"],
                full_name=data["full_name"],
                language=data["language"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%(email)s is invited and will receive an e-mail.") % {"email": data["email"]})
            return redirect("portal:customer_access", pk=customer.pk)
    return render(
        request,
        "portal/staff/customer_access.html",
        {
            "customer": customer,
            "logins": selectors.customer_logins(user=request.user, company=company, customer_id=customer.pk),  # type: ignore[arg-type]
            "contacts": _contacts(request, customer),
            "form": form,
            "days": services.invitation_days(),
            "can_deactivate": can(request, "core.manage_users"),
            "breadcrumbs": [
                (customer.name, reverse("web:party_detail", args=[customer.pk])),
                (_("Portal access"), None),
            ],
        },
        status=422 if form.errors else 200,
    )


@require_POST
@company_view("portal.invite")
def customer_login_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate one of the customer's portal logins (administrators, as for any login)."""
    company = request.company  # type: ignore[attr-defined]
    try:
        user_id = int(request.POST.get("user", ""))
    except ValueError:
        raise Http404 from None
    login = selectors.customer_logins(user=request.user, company=company, customer_id=pk).filter(pk=user_id).first()  # type: ignore[arg-type]
    if login is None:
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        core.user_set_active(actor=request.user, company=company, user_id=login.pk, active=active)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = _("%(name)s can log in to the portal again.") if active else _("%(name)s can no longer log in to the portal.")
        messages.success(request, text % {"name": login})
    return redirect("portal:customer_access", pk=pk)
