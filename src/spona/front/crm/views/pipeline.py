"""The pipeline: kanban board (drag and drop or the keyboard), opportunity list, detail, form,
win / lose, and the weighted forecast."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core import selectors as core_selectors
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.front.crm import selectors, services
from spona.front.crm.forms import ActivityForm, LoseForm, OpportunityFilterForm, OpportunityForm, set_party_choices
from spona.front.crm.views.common import amount_format, caller, crumbs, parse_id, query_without_cursor
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
FIELD_MAP = {"party_id": "party", "contact_id": "contact", "owner_id": "owner", "team_id": "team"}


def _board_context(request: HttpRequest, error: str = "") -> dict[str, Any]:
    user, company = caller(request)
    fmt = amount_format(company.base_currency)
    columns = selectors.board(user=user, company=company)
    return {
        "columns": [
            {
                "key": str(c.stage.pk),
                "label": f"{c.stage.name} · {c.stage.probability.normalize():f} %",
                "total": c.total,
                "cards": [
                    {
                        "id": o.pk,
                        "title": o.title,
                        "subtitle": f"{o.party.name} · {o.expected_revenue:,.2f} {o.currency}",
                        "url": reverse("crm:opportunity_detail", args=[o.pk]),
                    }
                    for o in c.cards
                ],
            }
            for c in columns
        ],
        "move_url": reverse("crm:board_move"),
        "label": _("Pipeline"),
        "name": "pipeline",
        "fmt": fmt,
        "currency": company.base_currency,
        "board_error": error,
    }


@require_GET
@company_view("crm.view")
def board(request: HttpRequest) -> HttpResponse:
    """The kanban of the default pipeline."""
    context = _board_context(request)
    context["can_manage"] = can(request, "crm.manage")
    return render(request, "crm/board.html", context)


@require_POST
@company_view("crm.manage")
def board_move(request: HttpRequest) -> HttpResponse:
    """Move a card (``id``) to a stage (``to``); answers with the board, showing a refusal above it."""
    user, company = caller(request)
    error = ""
    try:
        services.opportunity_move(
            actor=user,
            company=company,
            opportunity_id=parse_id(request.POST.get("id")),
            stage_id=parse_id(request.POST.get("to")),
        )
    except NotFound:
        error = _("That opportunity or stage does not exist any more.")
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "crm/partials/_board.html", _board_context(request, error))
    if error:
        messages.error(request, error)
    return redirect("crm:board")


@require_GET
@company_view("crm.view")
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """List opportunities newest first with filters; an htmx request gets only the results."""
    user, company = caller(request)
    pipeline = services.pipeline_default(company=company)
    form = OpportunityFilterForm(
        request.GET,
        users=selectors.member_choices(user=user, company=company),
        teams=selectors.team_list(user=user, company=company),
        stages=selectors.stage_list(user=user, company=company, pipeline=pipeline),
    )
    form.is_valid()
    filters = {
        "q": form.cleaned_data.get("q") or "",
        "status": form.cleaned_data.get("status") or "",
        "stage_id": form.cleaned_data.get("stage"),
        "owner_id": form.cleaned_data.get("owner"),
        "team_id": form.cleaned_data.get("team"),
    }
    try:
        page = selectors.opportunity_list(
            user=user, company=company, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE, **filters
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.opportunity_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "crm.manage"),
        "fmt": amount_format(company.base_currency),
        "breadcrumbs": crumbs("opportunities"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "crm/partials/_opportunity_results.html", context)
    return render(request, "crm/opportunity_list.html", context)


def _form(request: HttpRequest, initial: dict[str, Any]) -> OpportunityForm:
    user, company = caller(request)
    form = OpportunityForm(
        request.POST or None,
        initial=initial,
        users=selectors.member_choices(user=user, company=company),
        teams=selectors.team_list(user=user, company=company),
    )
    ids = [parse_id(form.data.get("party") or initial.get("party")), parse_id(form.data.get("contact") or initial.get("contact"))]
    parties = core_selectors.party_queryset(user=user, company=company).filter(pk__in=[i for i in ids if i])
    chosen = {p.pk: p for p in parties}
    set_party_choices(form.fields["party"], [chosen.get(ids[0])])
    set_party_choices(form.fields["contact"], [chosen.get(ids[1])])
    return form


def _input(form: OpportunityForm) -> services.OpportunityInput:
    data = form.cleaned_data
    return services.OpportunityInput(
        title=data["title"],
        party_id=data["party"],
        contact_id=data["contact"],
        owner_id=data["owner"],
        team_id=data["team"],
        expected_revenue=data["expected_revenue"],
        close_date=data["close_date"],
    )


@company_view("crm.manage")
def opportunity_create(request: HttpRequest) -> HttpResponse:
    """Open an opportunity directly (without a lead)."""
    user, company = caller(request)
    form = _form(request, {"party": parse_id(request.GET.get("party")) or None})
    if request.method == "POST" and form.is_valid():
        try:
            opp = services.opportunity_create(actor=user, company=company, data=_input(form))
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Opportunity %(title)s opened.") % {"title": opp.title})
            return redirect("crm:opportunity_detail", pk=opp.pk)
    title = _("New opportunity")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("crm:opportunity_list"),
            "breadcrumbs": crumbs("opportunities", (title, None)),
        },
    )


@company_view("crm.manage")
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an open opportunity; a stale version is refused with a message (QUALITY C2)."""
    user, company = caller(request)
    opp = selectors.opportunity_get(user=user, company=company, opportunity_id=pk)
    initial = {
        "title": opp.title,
        "party": opp.party_id,
        "contact": opp.contact_id,
        "owner": opp.owner_id,
        "team": opp.team_id,
        "expected_revenue": opp.expected_revenue,
        "close_date": opp.close_date,
        "version": opp.version,
    }
    form = _form(request, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                actor=user, company=company, opportunity_id=opp.pk, version=form.cleaned_data["version"] or 0, data=_input(form)
            )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("crm:opportunity_detail", pk=opp.pk)
    detail = reverse("crm:opportunity_detail", args=[opp.pk])
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("Edit %(title)s") % {"title": opp.title},
            "cancel_url": detail,
            "breadcrumbs": crumbs("opportunities", (opp.title, detail), (_("Edit"), None)),
        },
    )


@require_GET
@company_view("crm.view")
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One opportunity: figures, stage control, win / lose, activities."""
    user, company = caller(request)
    opp = selectors.opportunity_get(user=user, company=company, opportunity_id=pk)
    return render(
        request,
        "crm/opportunity_detail.html",
        {
            "opp": opp,
            "stages": selectors.stage_list(user=user, company=company, pipeline=opp.pipeline),
            "activities": list(opp.activities.select_related("owner").order_by("-due_at")[:20]),
            "activity_form": ActivityForm(
                users=selectors.member_choices(user=user, company=company), initial={"opportunity": opp.pk}
            ),
            "lose_form": LoseForm(),
            "can_manage": can(request, "crm.manage"),
            "fmt": amount_format(opp.currency),
            "breadcrumbs": crumbs("opportunities", (opp.title, None)),
        },
    )


@require_POST
@company_view("crm.manage")
def opportunity_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the opportunity to the chosen stage (the detail page's stage control)."""
    user, company = caller(request)
    try:
        services.opportunity_move(
            actor=user,
            company=company,
            opportunity_id=pk,
            stage_id=parse_id(request.POST.get("stage")),
            reason=request.POST.get("reason", "")[:200],
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("crm:opportunity_detail", pk=pk)


@require_POST
@company_view("crm.manage")
def opportunity_win(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the opportunity won."""
    user, company = caller(request)
    try:
        services.opportunity_win(actor=user, company=company, opportunity_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Won. Congratulations!"))
    return redirect("crm:opportunity_detail", pk=pk)


@require_POST
@company_view("crm.manage")
def opportunity_lose(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the opportunity lost, with the reason."""
    user, company = caller(request)
    selectors.opportunity_get(user=user, company=company, opportunity_id=pk)  # another company's deal is a 404 whatever the input
    form = LoseForm(request.POST)
    try:
        services.opportunity_lose(actor=user, company=company, opportunity_id=pk, reason=form.data.get("reason", "")[:200])
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked lost."))
    return redirect("crm:opportunity_detail", pk=pk)


@require_GET
@company_view("crm.view")
def forecast(request: HttpRequest) -> HttpResponse:
    """The weighted forecast of open opportunities by month, owner or team."""
    user, company = caller(request)
    by = request.GET.get("by", "month")
    by = by if by in ("month", "owner", "team") else "month"
    rows = selectors.forecast(user=user, company=company, by=by)
    return render(
        request,
        "crm/forecast.html",
        {
            "rows": rows,
            "by": by,
            "currency": company.base_currency,
            "fmt": amount_format(company.base_currency),
            "total_amount": sum((r.amount for r in rows), 0),
            "total_weighted": sum((r.weighted for r in rows), 0),
            "breadcrumbs": crumbs("opportunities", (_("Forecast"), None)),
        },
    )
