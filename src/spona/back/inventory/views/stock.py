"""Stock by location (with a streamed CSV export) and the history of moves."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.back.inventory import selectors, selectors_ui
from spona.back.inventory.forms import MoveFilterForm, StockFilterForm, set_choices
from spona.back.inventory.services.stock import fmt
from spona.back.inventory.views.common import PAGE_SIZE, caller, is_partial, page_or_empty, query_without_cursor
from spona.core.models import Company, User
from spona.web.views.base import company_view


def _stock_locations(user: User, company: Company) -> list[Any]:
    return [x for x in selectors.location_list(user=user, company=company) if x.kind in ("internal", "view", "transit")]


def _stock_form(request: HttpRequest) -> StockFilterForm:
    user, company = caller(request)
    form = StockFilterForm(request.GET, locations=_stock_locations(user, company))
    form.is_valid()  # a bad value drops only its own filter
    return form


@require_GET
@company_view("inventory.view")
def stock_list(request: HttpRequest) -> HttpResponse:
    """List the stock by product and location (on hand, reserved, available), filtered by location and product."""
    user, company = caller(request)
    form = _stock_form(request)
    data = form.cleaned_data
    page = page_or_empty(
        request,
        selectors_ui.stock_page,
        user=user,
        company=company,
        location_id=data.get("location"),
        q=data.get("q") or "",
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    query = query_without_cursor(request)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(data.get("q") or data.get("location")),
        "first_page": bool(request.GET.get("cursor")),
        "query": query,
        "breadcrumbs": [(_("Stock"), None)],
    }
    if is_partial(request):
        return render(request, "inventory/partials/_stock_results.html", context)
    return render(request, "inventory/stock_list.html", context)


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@company_view("inventory.view")
def stock_export(request: HttpRequest) -> StreamingHttpResponse:
    """Stream the filtered stock as CSV, row by row, however many rows it holds."""
    user, company = caller(request)
    data = _stock_form(request).cleaned_data
    rows = selectors_ui.stock_export_rows(user=user, company=company, location_id=data.get("location"), q=data.get("q") or "")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(["sku", "product", "location", "lot", "on_hand", "reserved", "available", "unit"])
        for row in rows:
            yield writer.writerow(
                [
                    _cell(row.sku),
                    _cell(row.product_name),
                    _cell(row.location),
                    _cell(row.lot),
                    fmt(row.on_hand),
                    fmt(row.reserved),
                    fmt(row.available),
                    _cell(row.unit),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stock-{timezone.localdate().isoformat()}.csv"'
    return response


@require_GET
@company_view("inventory.view")
def move_list(request: HttpRequest) -> HttpResponse:
    """List the done moves, newest first, by product, location and date range."""
    user, company = caller(request)
    form = MoveFilterForm(
        request.GET, locations=selectors.location_list(user=user, company=company), search_url=reverse("inventory:product_search")
    )
    form.is_valid()
    data = form.cleaned_data
    set_choices(form.fields["product"], selectors_ui.product_choices(user=user, company=company, ids=[data.get("product") or 0]))
    filters = selectors_ui.MoveFilters(
        product_id=data.get("product"),
        location_id=data.get("location"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    page = page_or_empty(
        request,
        selectors_ui.move_page,
        user=user,
        company=company,
        filters=filters,
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "filtered": any(vars(filters).values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "breadcrumbs": [(_("Moves"), None)],
    }
    if is_partial(request):
        return render(request, "inventory/partials/_move_results.html", context)
    return render(request, "inventory/move_list.html", context)
