"""The sales dashboard (pipeline, win rate, deal size, cycle, revenue against target, CSV) and the targets."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError
from spona.front.crm import selectors, services
from spona.front.crm.forms import DashboardFilterForm, TargetForm
from spona.front.crm.views.common import amount_format, caller
from spona.web.views.base import apply_error, can, company_view

CSV_HEADER = ("month", "won", "lost", "win_rate_percent", "revenue", "target", "attainment_percent", "currency")


def _text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def _csv(board: selectors.Dashboard, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    rows = [(m.label, m.won, m.lost, m.win_rate, m.revenue, m.target, m.attainment) for m in board.months]
    rows.append(("total", board.won, board.lost, board.win_rate, board.revenue, board.target, board.attainment))
    for label, won, lost, rate, revenue, target, attainment in rows:
        writer.writerow([label, won, lost, _text(rate), _text(revenue), _text(target), _text(attainment), board.currency])
    return response


def _chart_data(board: selectors.Dashboard) -> dict[str, Any]:
    # Amounts go to the chart as numbers; the page's tables show the exact figures.
    return {
        "stages": {"labels": [s.stage for s in board.stages], "amount": [float(s.amount) for s in board.stages],
                   "weighted": [float(s.weighted) for s in board.stages]},
        "months": {"labels": [m.label for m in board.months], "revenue": [float(m.revenue) for m in board.months],
                   "target": [float(m.target) for m in board.months]},
        "labels": {"amount": _("Open"), "weighted": _("Weighted"), "revenue": _("Revenue won"), "target": _("Target")},
    }  # fmt: skip


@require_GET
@company_view("crm.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Sales figures of a month, quarter or year, for everyone, one owner or one team; ``?export=csv`` downloads them."""
    user, company = caller(request)
    teams = selectors.team_list(user=user, company=company)
    form = DashboardFilterForm(request.GET, users=selectors.member_choices(user=user, company=company), teams=teams)
    form.is_valid()  # a bad value drops only its own filter
    period = selectors.period_parse(form.cleaned_data.get("period") or "", timezone.localdate())
    board = selectors.dashboard(
        user=user, company=company, period=period, owner_id=form.cleaned_data.get("owner"), team_id=form.cleaned_data.get("team")
    )
    if request.GET.get("export") == "csv":
        return _csv(board, f"sales-{company.code}-{period.key}.csv")
    query = request.GET.copy()
    query["export"] = "csv"
    query["period"] = period.key
    return render(
        request,
        "crm/dashboard.html",
        {
            "form": form,
            "board": board,
            "chart": _chart_data(board),
            "fmt": amount_format(company.base_currency),
            "csv_query": query.urlencode(),
            "can_manage_targets": can(request, "crm.manage_teams"),
        },
    )


@company_view("crm.manage_teams")
def target_list(request: HttpRequest) -> HttpResponse:
    """The sales targets of people and teams, and a form to set one (setting it again replaces it)."""
    user, company = caller(request)
    teams = selectors.team_list(user=user, company=company)
    form = TargetForm(request.POST or None, users=selectors.member_choices(user=user, company=company), teams=teams)
    if request.method == "POST" and form.is_valid():
        owner_id, team_id = form.subject_ids()
        try:
            target = services.target_set(
                actor=user,
                company=company,
                period=form.cleaned_data["period"],
                start=form.cleaned_data["start"],
                amount=form.cleaned_data["amount"],
                owner_id=owner_id,
                team_id=team_id,
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"owner_id": "subject", "team_id": "subject"})
        else:
            messages.success(request, _("Target set: %(target)s.") % {"target": target})
            return redirect("crm:target_list")
    return render(
        request,
        "crm/target_list.html",
        {
            "form": form,
            "targets": selectors.target_list(user=user, company=company),
            "fmt": amount_format(company.base_currency),
            "breadcrumbs": [(_("Sales dashboard"), reverse("crm:dashboard")), (_("Targets"), None)],
        },
    )


@require_POST
@company_view("crm.manage_teams")
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a target."""
    user, company = caller(request)
    services.target_delete(actor=user, company=company, target_id=pk)
    messages.success(request, _("Target removed."))
    return redirect("crm:target_list")
