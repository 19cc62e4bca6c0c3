"""Transfers: list, detail, the draft form with a barcode input, confirm, validate (with backorder) and cancel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.inventory import selectors, selectors_ui, services
from spona.back.inventory.forms import (
    TransferFilterForm,
    TransferForm,
    TransferLineForm,
    TransferLineFormSet,
    ValidateForm,
    set_choices,
)
from spona.back.inventory.models import Transfer
from spona.back.inventory.services.stock import fmt
from spona.back.inventory.views.common import PAGE_SIZE, caller, crumb, is_partial, page_or_empty, parse_id, query_without_cursor
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.web.views.base import apply_error, can, company_view

MAX_LINES = 199
PREFIX = "lines"


def refusal(exc: ApplicationError) -> str:
    """Say why a stock operation was refused; a shortage reads as such, with the figures."""
    if exc.code == "insufficient_stock":
        return _("Not enough stock: %(detail)s.") % {"detail": exc.message}
    return exc.message


@require_GET
@company_view("inventory.view")
def transfer_list(request: HttpRequest) -> HttpResponse:
    """List receipts, deliveries and internal transfers by kind and state; htmx gets only the results."""
    user, company = caller(request)
    form = TransferFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    page = page_or_empty(
        request,
        selectors_ui.transfer_page,
        user=user,
        company=company,
        kind=data.get("kind") or "",
        state=data.get("state") or "",
        q=data.get("q") or "",
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "filtered": any(data.get(k) for k in ("q", "kind", "state")),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "inventory.manage"),
        "breadcrumbs": [(_("Transfers"), None)],
    }
    if is_partial(request):
        return render(request, "inventory/partials/_transfer_results.html", context)
    return render(request, "inventory/transfer_list.html", context)


def _detail_context(request: HttpRequest, transfer: Transfer, form: ValidateForm | None = None) -> dict[str, Any]:
    lines = list(transfer.lines.all())
    manage = can(request, "inventory.manage")
    open_state = transfer.state in (Transfer.State.DRAFT, Transfer.State.CONFIRMED)
    return {
        "transfer": transfer,
        "lines": lines,
        "moves": sorted(transfer.moves.all(), key=lambda m: m.pk),
        "backorders": list(transfer.backorders.all()),
        "can_confirm": manage and transfer.can_confirm(),
        "can_cancel": manage and transfer.can_cancel(),
        "validate_form": (form or ValidateForm(lines=lines)) if manage and open_state else None,
        "breadcrumbs": [crumb("transfer_list"), (transfer.number, None)],
    }


@require_GET
@company_view("inventory.view")
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a transfer: lines with planned and done quantities, its moves, backorders and what can be done next."""
    user, company = caller(request)
    transfer = selectors.transfer_get(user=user, company=company, transfer_id=pk)
    return render(request, "inventory/transfer_detail.html", _detail_context(request, transfer))


@require_POST
@company_view("inventory.manage")
def transfer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a draft: plan its moves and reserve the stock it takes out."""
    user, company = caller(request)
    try:
        transfer = services.transfer_confirm(actor=user, company=company, transfer_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("%(number)s is confirmed; its stock is reserved.") % {"number": transfer.number})
    return redirect("inventory:transfer_detail", pk=pk)


@require_POST
@company_view("inventory.manage")
def transfer_validate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the moves with the quantities given per line; the rest goes to a backorder or is cancelled."""
    user, company = caller(request)
    transfer = selectors.transfer_get(user=user, company=company, transfer_id=pk)
    form = ValidateForm(request.POST, lines=list(transfer.lines.all()))
    if form.is_valid():
        try:
            done = services.transfer_validate(
                actor=user,
                company=company,
                transfer_id=pk,
                quantities=form.quantities(),
                backorder=form.cleaned_data["backorder"],
            )
        except NotFound:
            raise
        except ApplicationError as exc:
            messages.error(request, refusal(exc))
        else:
            follow_up = done.backorders.order_by("-pk").first()
            if follow_up is not None:
                messages.success(
                    request,
                    _("%(number)s is done; the rest waits on backorder %(backorder)s.")
                    % {"number": done.number, "backorder": follow_up.number},
                )
            else:
                messages.success(request, _("%(number)s is done.") % {"number": done.number})
            return redirect("inventory:transfer_detail", pk=pk)
        return redirect("inventory:transfer_detail", pk=pk)
    return render(request, "inventory/transfer_detail.html", _detail_context(request, transfer, form), status=422)


@require_POST
@company_view("inventory.manage")
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a draft or confirmed transfer: its reservations are released."""
    user, company = caller(request)
    try:
        transfer = services.transfer_cancel(actor=user, company=company, transfer_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(number)s is cancelled.") % {"number": transfer.number})
    return redirect("inventory:transfer_detail", pk=pk)


# The draft form ------------------------------------------------------------------------------------


def _raw_rows(data: Any) -> list[dict[str, str]]:
    """The line rows as typed (rows removed from the page are absent), in order."""
    total = min(max(parse_id(data.get(f"{PREFIX}-TOTAL_FORMS")), 0), MAX_LINES + 1)
    rows = []
    for i in range(total):
        keys = [f"{PREFIX}-{i}-{name}" for name in ("product", "quantity", "lot")]
        if not any(key in data for key in keys):
            continue
        rows.append({name: str(data.get(key, ""))[:100] for name, key in zip(("product", "quantity", "lot"), keys, strict=True)})
    return rows


def _rows_data(rows: list[dict[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {f"{PREFIX}-TOTAL_FORMS": str(len(rows)), f"{PREFIX}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{PREFIX}-{i}-{name}"] = value
    return data


def _line_formset(request: HttpRequest, data: dict[str, Any] | Any) -> Any:
    user, company = caller(request)
    lines = TransferLineFormSet(data, prefix=PREFIX, form_kwargs={"search_url": reverse("inventory:product_search")})
    ids = [
        parse_id(data.get(f"{PREFIX}-{i}-product"))
        for i in range(min(parse_id(data.get(f"{PREFIX}-TOTAL_FORMS")), MAX_LINES + 1))
    ]
    products = selectors_ui.product_choices(user=user, company=company, ids=ids)
    for form in lines.forms:
        set_choices(form.fields["product"], products, lambda p: f"[{p.sku}] {p.name}")
    return lines


def _header(request: HttpRequest, data: Any, initial: dict[str, Any] | None = None) -> TransferForm:
    user, company = caller(request)
    form = TransferForm(
        data,
        initial=initial,
        warehouses=selectors_ui.warehouse_list(user=user, company=company),
        locations=selectors_ui.internal_locations(user=user, company=company),
        search_url=reverse("web:party_search"),
    )
    # The barcode input answers through htmx; its Enter key is caught by the page's script.
    form.fields["barcode"].widget.attrs.update(
        {
            "hx-post": reverse("inventory:transfer_scan"),
            "hx-trigger": "scan",
            "hx-include": "#transfer-form",
            "hx-target": "#line-rows",
            "aria-describedby": "scan-status",
        }
    )
    party_id = parse_id(data.get("party")) if data is not None else 0
    set_choices(form.fields["party"], selectors_ui.party_choices(user=user, company=company, ids=[party_id]), lambda p: p.name)
    return form


def _apply_line_errors(header: TransferForm, used: list[Any], exc: ApplicationError) -> None:
    """Put a service's refusal on the header and on the line rows it names (``lines[i]``)."""
    rest: dict[str, list[str]] = {}
    for key, msgs in (exc.field_errors if isinstance(exc, ValidationFailed) else {}).items():
        if key.startswith("lines[") and key.endswith("]") and key[6:-1].isdigit() and int(key[6:-1]) < len(used):
            for message in msgs:
                used[int(key[6:-1])].add_error(None, message)
        else:
            rest[key] = msgs
    if isinstance(exc, ValidationFailed):
        exc = ValidationFailed(exc.message, field_errors=rest)
    apply_error(
        header,
        exc,
        field_map={"warehouse_id": "warehouse", "party_id": "party", "to_location_id": "to_location", "lines": "barcode"},
    )


@company_view("inventory.manage")
def transfer_create(request: HttpRequest) -> HttpResponse:
    """Draft a receipt, delivery or internal transfer; lines come from the product picker or the barcode input."""
    user, company = caller(request)
    posted = request.method == "POST"
    kind = request.GET.get("kind") if request.GET.get("kind") in Transfer.Kind.values else Transfer.Kind.RECEIPT
    header = _header(request, request.POST if posted else None, initial={"kind": kind})
    lines = _line_formset(request, request.POST if posted else _rows_data([{"product": "", "quantity": "1", "lot": ""}]))
    if posted and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        used = lines.used_forms()
        try:
            transfer = services.transfer_create(
                actor=user,
                company=company,
                kind=data["kind"],
                warehouse_id=data["warehouse"],
                lines=[f.to_input() for f in used],
                party_id=data["party"],
                reference=data["reference"],
                scheduled_date=data["scheduled_date"],
                to_location_id=data["to_location"] if data["kind"] == Transfer.Kind.INTERNAL else None,
            )
        except ApplicationError as exc:
            _apply_line_errors(header, used, exc)
        else:
            messages.success(request, _("%(number)s is drafted. Confirm it to reserve the stock.") % {"number": transfer.number})
            return redirect("inventory:transfer_detail", pk=transfer.pk)
    title = _("New transfer")
    return render(
        request,
        "inventory/transfer_form.html",
        {
            "form": header,
            "lines": lines,
            "title": title,
            "no_warehouse": not header.fields["warehouse"].choices,
            "cancel_url": reverse("inventory:transfer_list"),
            "breadcrumbs": [crumb("transfer_list"), (title, None)],
        },
        status=422 if header.errors or lines.total_error_count() else 200,
    )


@require_POST
@company_view("inventory.manage")
def transfer_scan(request: HttpRequest) -> HttpResponse:
    """Answer the barcode input (htmx): add the scanned product as a line, or add one to its line."""
    user, company = caller(request)
    rows = _raw_rows(request.POST)
    code = request.POST.get("barcode", "").strip()[:60]
    status, message = "info", ""
    if code:
        try:
            product = selectors.product_by_barcode(user=user, company=company, barcode=code)
        except NotFound:
            status, message = "danger", _("No product has the barcode %(code)s.") % {"code": code}
        else:
            row = next((r for r in rows if parse_id(r["product"]) == product.pk and not r["lot"].strip()), None)
            if row is None:
                # The empty row a new form starts with takes the first scan.
                row = next((r for r in rows if not parse_id(r["product"])), None)
                if row is None and len(rows) > MAX_LINES:
                    status, message = "danger", _("A transfer holds at most %(max)s lines.") % {"max": MAX_LINES + 1}
                elif row is None:
                    row = {"product": "", "quantity": "0", "lot": ""}
                    rows.append(row)
                else:
                    row["quantity"] = "0"
            if row is not None:
                try:
                    current = Decimal(row["quantity"] or "0")
                except InvalidOperation:
                    current = Decimal(0)
                row["product"], row["quantity"] = str(product.pk), fmt(max(current, Decimal(0)) + 1)
                status, message = "success", _("%(sku)s: %(quantity)s") % {"sku": product.sku, "quantity": row["quantity"]}
    lines = _line_formset(request, _rows_data(rows))
    return render(
        request,
        "inventory/partials/_transfer_lines.html",
        {"lines": lines, "total_forms": len(rows), "scan_status": status, "scan_message": message},
    )


@require_GET
@company_view("inventory.manage")
def transfer_line(request: HttpRequest) -> HttpResponse:
    """Answer "Add a line" (htmx) with one more empty row and the formset's new row count."""
    index = min(max(parse_id(request.GET.get(f"{PREFIX}-TOTAL_FORMS")), 0), MAX_LINES)
    form = TransferLineForm(prefix=f"{PREFIX}-{index}", search_url=reverse("inventory:product_search"), initial={"quantity": 1})
    set_choices(form.fields["product"], [])
    return render(request, "inventory/partials/_transfer_line.html", {"line": form, "total_forms": index + 1})
