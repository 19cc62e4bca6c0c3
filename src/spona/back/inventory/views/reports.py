"""Inventory reports as pages with filters and a CSV export (``?export=csv``) of the same table."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.inventory import reports, selectors, selectors_ui, services
from spona.back.inventory.forms_reports import ForecastForm, PeriodForm, SlowMoversForm, ValuationForm
from spona.back.inventory.services.stock import fmt
from spona.back.inventory.views.common import caller
from spona.back.inventory.views.stock import _cell
from spona.core.errors import ApplicationError, ValidationFailed
from spona.core.money import round_amount
from spona.web.views.base import can, company_view


@dataclass
class Table:
    """What a report shows and exports: headers, rows of text cells, and which columns are figures."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    figures: set[int] = field(default_factory=set)
    links: list[int | None] = field(default_factory=list)


def _money(value: Decimal | None, currency: str) -> str:
    return "" if value is None else str(round_amount(value, currency))


def _respond(request: HttpRequest, name: str, title: str, form: Any, table: Table, **extra: Any) -> HttpResponse:
    if request.GET.get("export") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
        writer = csv.writer(response)
        writer.writerow(table.headers)
        writer.writerows([[_cell(c) for c in row] for row in table.rows])
        return response
    query = request.GET.copy()
    query["export"] = "csv"
    context = {
        "title": title,
        "form": form,
        "table": table,
        "rows": list(zip(table.rows, table.links or [None] * len(table.rows), strict=True)),
        "export_query": query.urlencode(),
        "report_url": reverse(f"inventory:{name}_report"),
        "breadcrumbs": [(_("Reports"), None), (title, None)],
        **extra,
    }
    return render(request, "inventory/report.html", context)


def _guarded(request: HttpRequest, build: Callable[[], Table], headers: list[str]) -> Table:
    """Run a report; a refused filter (dates the wrong way round) shows its message and no rows."""
    try:
        return build()
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return Table(headers)


@require_GET
@company_view("inventory.view")
def valuation_report(request: HttpRequest) -> HttpResponse:
    """Show the stock's value as of a date by product, category or warehouse, next to the ledger."""
    user, company = caller(request)
    form = ValuationForm(request.GET)
    as_of, group_by = form.values()
    report = reports.valuation_report(user=user, company=company, as_of=as_of, group_by=group_by)
    label = {"product": _("Product"), "category": _("Category"), "warehouse": _("Warehouse")}[group_by]
    currency = report.currency
    table = Table(
        [label, _("Quantity"), _("Unit"), _("Value")],
        [[r.label, fmt(r.quantity), r.unit, _money(r.value, currency)] for r in report.rows],
        {1, 3},
        [r.product_id for r in report.rows],
    )
    return _respond(
        request,
        "valuation",
        _("Stock valuation"),
        form,
        table,
        valuation=report,
        unvalued=len(selectors.unvalued_stock(company)),
        can_open=can(request, "inventory.manage"),
    )


@require_POST
@company_view("inventory.manage")
def valuation_open(request: HttpRequest) -> HttpResponse:
    """Value the stock on hand that has no valuation yet, at each product's current cost, in one opening entry."""
    user, company = caller(request)
    try:
        result = services.valuation_open(actor=user, company=company)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Opening stock valued: %(count)s product(s), %(value)s %(currency)s.")
            % {"count": result.products, "value": result.value, "currency": company.base_currency},
        )
    return redirect("inventory:valuation_report")


@require_GET
@company_view("inventory.view")
def turnover_report(request: HttpRequest) -> HttpResponse:
    """Show each product's cost of goods sold, average stock value and turnover in a period."""
    user, company = caller(request)
    form = PeriodForm(request.GET)
    date_from, date_to = form.values()
    currency = company.base_currency
    headers = [_("Product"), _("Cost of goods sold"), _("Opening value"), _("Closing value"), _("Average value"), _("Turnover")]

    def build() -> Table:
        rows = reports.turnover(user=user, company=company, date_from=date_from, date_to=date_to)
        return Table(
            headers,
            [
                [
                    f"[{r.sku}] {r.name}",
                    _money(r.cogs, currency),
                    _money(r.opening, currency),
                    _money(r.closing, currency),
                    _money(r.average, currency),
                    "" if r.turnover is None else str(r.turnover),
                ]
                for r in rows
            ],
            {1, 2, 3, 4, 5},
            [r.product_id for r in rows],
        )

    return _respond(request, "turnover", _("Stock turnover"), form, _guarded(request, build, headers))


@require_GET
@company_view("inventory.view")
def slow_movers_report(request: HttpRequest) -> HttpResponse:
    """List the products in stock that have not gone out for a number of days, with their value."""
    user, company = caller(request)
    form = SlowMoversForm(request.GET)
    days = form.values()
    today = timezone.localdate()
    rows = reports.slow_movers(user=user, company=company, days=days)
    table = Table(
        [_("Product"), _("On hand"), _("Unit"), _("Value"), _("Last out"), _("Days idle")],
        [
            [
                f"[{r.sku}] {r.name}",
                fmt(r.quantity),
                r.unit,
                _money(r.value, company.base_currency),
                r.last_out.isoformat() if r.last_out else _("never"),
                str(r.idle_days(today) or ""),
            ]
            for r in rows
        ],
        {1, 3, 5},
        [r.product_id for r in rows],
    )
    return _respond(request, "slow_movers", _("Slow movers"), form, table)


@require_GET
@company_view("inventory.view")
def forecast_report(request: HttpRequest) -> HttpResponse:
    """Forecast which products run out of stock, when and by how much, from the open documents."""
    user, company = caller(request)
    form = ForecastForm(request.GET, warehouses=selectors_ui.warehouse_list(user=user, company=company))
    rows = reports.stockout_forecast(user=user, company=company, warehouse_id=form.values())
    table = Table(
        [_("Product"), _("On hand"), _("Incoming"), _("Outgoing"), _("Runs out on"), _("Short by"), _("Next receipt")],
        [
            [
                f"[{r.sku}] {r.name}",
                fmt(r.on_hand),
                fmt(r.incoming),
                fmt(r.outgoing),
                r.stockout_on.isoformat(),
                fmt(r.short_by),
                r.next_receipt.isoformat() if r.next_receipt else "",
            ]
            for r in rows
        ],
        {1, 2, 3, 5},
        [r.product_id for r in rows],
    )
    return _respond(request, "forecast", _("Stock-out forecast"), form, table)
