"""Lead screens: list with filters, capture and edit, detail with duplicates and score, status,
qualification into an opportunity and rescoring. Leads are imported on the imports pages (kind "leads")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError, ValidationFailed
from spona.front.crm import selectors, services
from spona.front.crm.forms import LeadFilterForm, LeadForm, LeadStatusForm, QualifyForm, set_party_choices
from spona.front.crm.views.common import caller, crumbs, query_without_cursor
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
FIELD_MAP = {"owner_id": "owner"}


@require_GET
@company_view("crm.view_leads")
def lead_list(request: HttpRequest) -> HttpResponse:
    """List leads newest first with search and filters; an htmx request gets only the results."""
    user, company = caller(request)
    form = LeadFilterForm(request.GET, users=selectors.member_choices(user=user, company=company))
    form.is_valid()  # a bad value drops only its own filter
    filters = {
        "q": form.cleaned_data.get("q") or "",
        "status": form.cleaned_data.get("status") or "",
        "source": form.cleaned_data.get("source") or "",
        "owner_id": form.cleaned_data.get("owner"),
    }
    try:
        page = selectors.lead_list(
            user=user, company=company, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE, **filters
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.lead_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "crm.manage"),
        "breadcrumbs": crumbs("leads"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "crm/partials/_lead_results.html", context)
    return render(request, "crm/lead_list.html", context)


def _lead_input(form: LeadForm, source: str | None = None) -> services.LeadInput:
    data = form.cleaned_data
    return services.LeadInput(
        contact_name=data["contact_name"],
        company_name=data["company_name"],
        email=data["email"],
        phone=data["phone"],
        country=data["country"],
        source=source or data["source"],
        notes=data["notes"],
        owner_id=data["owner"],
    )


@company_view("crm.manage")
def lead_create(request: HttpRequest) -> HttpResponse:
    """Capture a lead by hand; without an owner the assignment rules choose one."""
    user, company = caller(request)
    form = LeadForm(request.POST or None, users=selectors.member_choices(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=user, company=company, data=_lead_input(form))
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Lead %(name)s captured.") % {"name": lead})
            return redirect("crm:lead_detail", pk=lead.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New lead"),
            "cancel_url": reverse("crm:lead_list"),
            "breadcrumbs": crumbs("leads", (_("New lead"), None)),
        },
    )


@company_view("crm.manage")
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a lead; a stale version shows a message instead of overwriting someone else's change."""
    user, company = caller(request)
    lead = selectors.lead_get(user=user, company=company, lead_id=pk)
    initial = {
        "contact_name": lead.contact_name,
        "company_name": lead.company_name,
        "email": lead.email,
        "phone": lead.phone,
        "country": lead.country,
        "source": lead.source,
        "owner": lead.owner_id,
        "notes": lead.notes,
        "version": lead.version,
    }
    form = LeadForm(request.POST or None, initial=initial, users=selectors.member_choices(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(
                actor=user, company=company, lead_id=lead.pk, version=form.cleaned_data["version"] or 0, data=_lead_input(form)
            )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("crm:lead_detail", pk=lead.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("Edit lead %(name)s") % {"name": lead},
            "cancel_url": reverse("crm:lead_detail", args=[lead.pk]),
            "breadcrumbs": crumbs("leads", (str(lead), reverse("crm:lead_detail", args=[lead.pk])), (_("Edit"), None)),
        },
    )


@require_GET
@company_view("crm.view_leads")
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One lead: its details, score with reasons, possible duplicate parties, activities and actions."""
    user, company = caller(request)
    lead = selectors.lead_get(user=user, company=company, lead_id=pk)
    can_manage = can(request, "crm.manage")
    return render(
        request,
        "crm/lead_detail.html",
        {
            "lead": lead,
            "duplicates": selectors.lead_duplicates(user=user, company=company, lead=lead)
            if can(request, "core.view_party")
            else [],
            "activities": list(lead.activities.select_related("owner").order_by("-due_at")[:20]),
            "can_manage": can_manage,
            "status_form": LeadStatusForm(initial={"status": lead.status}),
            "breadcrumbs": crumbs("leads", (str(lead), None)),
        },
    )


@require_POST
@company_view("crm.manage")
def lead_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a lead contacted, disqualified (with reason) or new again."""
    user, company = caller(request)
    selectors.lead_get(user=user, company=company, lead_id=pk)  # another company's lead is a 404 whatever the input
    form = LeadStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("crm:lead_detail", pk=pk)
    try:
        services.lead_set_status(
            actor=user, company=company, lead_id=pk, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Status changed."))
    return redirect("crm:lead_detail", pk=pk)


@require_POST
@company_view("crm.manage")
def lead_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    """Recompute the lead's score from the rules."""
    user, company = caller(request)
    services.lead_rescore(actor=user, company=company, lead_id=pk)
    messages.success(request, _("Score recomputed."))
    return redirect("crm:lead_detail", pk=pk)


@company_view("crm.manage")
def lead_qualify(request: HttpRequest, pk: int) -> HttpResponse:
    """Qualify a lead: choose or create its parties and open the opportunity."""
    user, company = caller(request)
    lead = selectors.lead_get(user=user, company=company, lead_id=pk)
    if not lead.is_open():
        messages.error(request, _("This lead is closed."))
        return redirect("crm:lead_detail", pk=lead.pk)
    duplicates = selectors.lead_duplicates(user=user, company=company, lead=lead)
    form = QualifyForm(request.POST or None, initial={"title": str(lead)})
    set_party_choices(form.fields["organisation"], [d for d in duplicates if d.kind == "organisation"])
    set_party_choices(form.fields["contact"], [d for d in duplicates if d.kind == "person"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opp = services.lead_qualify(
                actor=user,
                company=company,
                lead_id=lead.pk,
                title=data["title"],
                expected_revenue=data["expected_revenue"],
                close_date=data["close_date"],
                organisation_id=data["organisation"],
                contact_id=data["contact"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"organisation_id": "organisation", "contact_id": "contact"})
        else:
            messages.success(request, _("Lead qualified: opportunity %(title)s opened.") % {"title": opp.title})
            return redirect("crm:opportunity_detail", pk=opp.pk)
    return render(
        request,
        "crm/lead_qualify.html",
        {
            "form": form,
            "lead": lead,
            "duplicates": duplicates,
            "title": _("Qualify %(name)s") % {"name": lead},
            "cancel_url": reverse("crm:lead_detail", args=[lead.pk]),
            "breadcrumbs": crumbs("leads", (str(lead), reverse("crm:lead_detail", args=[lead.pk])), (_("Qualify"), None)),
        },
    )
