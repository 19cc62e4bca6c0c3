"""RFQ and purchase order screens: list, create and edit, detail with its actions, PDF, bill and match."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.purchasing import selectors, services
from spona.back.purchasing.forms import BillForm, BillPostForm, LineFormSet, OrderFilterForm, OrderForm
from spona.back.purchasing.pdf import order_pdf_bytes
from spona.back.purchasing.views.common import caller, crumbs, query_without_cursor
from spona.core.errors import ApplicationError, ValidationFailed
from spona.core.models import Company, User
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
FIELD_MAP = {"supplier_id": "supplier", "warehouse_id": "warehouse"}


@require_GET
@company_view("purchasing.view")
def order_list(request: HttpRequest) -> HttpResponse:
    """List RFQs and orders newest first with search and a state filter; htmx gets only the results."""
    user, company = caller(request)
    form = OrderFilterForm(request.GET)
    form.is_valid()
    filters = {"q": form.cleaned_data.get("q") or "", "state": form.cleaned_data.get("state") or ""}
    try:
        page = selectors.order_list(
            user=user, company=company, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE, **filters
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.order_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "purchasing.manage"),
        "breadcrumbs": crumbs("orders"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "purchasing/partials/_order_results.html", context)
    return render(request, "purchasing/order_list.html", context)


def _forms(
    request: HttpRequest, user: User, company: Company, initial: dict[str, Any], lines: list[dict[str, Any]]
) -> tuple[OrderForm, Any]:
    choices = {
        "suppliers": selectors.supplier_choices(user=user, company=company, include=initial.get("supplier")),
        "warehouses": selectors.warehouse_choices(user=user, company=company),
    }
    line_choices = {
        "products": selectors.product_choices(user=user, company=company),
        "taxes": [(t.pk, t.name) for t in selectors.tax_choices(user=user, company=company)],
    }
    data = request.POST if request.method == "POST" else None
    form = OrderForm(data, initial=initial, **choices)
    formset = LineFormSet(data, initial=lines + [{}] * (3 if not lines else 1), prefix="lines", form_kwargs=line_choices)
    if data is None:
        formset.extra = len(formset.initial_forms)
    return form, formset


def _order_input(form: OrderForm, formset: Any) -> services.OrderIn:
    data = form.cleaned_data
    lines = [
        services.LineIn(
            product_id=row["product"], quantity=row["quantity"], unit_price=row.get("unit_price"), tax_ids=row.get("taxes") or []
        )
        for row in formset.cleaned_data
        if row.get("product")
    ]
    return services.OrderIn(
        supplier_id=data["supplier"],
        warehouse_id=data["warehouse"],
        currency=data["currency"] or "",
        order_date=data["order_date"],
        supplier_reference=data["supplier_reference"],
        notes=data["notes"],
        lines=lines,
    )


def _render_form(request: HttpRequest, form: OrderForm, formset: Any, title: str, cancel_url: str, trail: list) -> HttpResponse:
    return render(
        request,
        "purchasing/order_form.html",
        {"form": form, "formset": formset, "title": title, "cancel_url": cancel_url, "breadcrumbs": trail},
    )


@company_view("purchasing.manage")
def order_create(request: HttpRequest) -> HttpResponse:
    """Draft an RFQ; empty prices take the supplier's price breaks, empty taxes none."""
    user, company = caller(request)
    form, formset = _forms(request, user, company, {"currency": company.base_currency}, [])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            order = services.order_create(actor=user, company=company, data=_order_input(form, formset))
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("RFQ %(number)s drafted.") % {"number": order.number})
            return redirect("purchasing:order_detail", pk=order.pk)
    return _render_form(
        request,
        form,
        formset,
        _("New request for quotation"),
        reverse("purchasing:order_list"),
        crumbs("orders", (_("New RFQ"), None)),
    )


@company_view("purchasing.manage")
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an RFQ; a stale version shows a message instead of overwriting someone else's change."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    initial = {
        "supplier": order.supplier_id,
        "warehouse": order.warehouse_id,
        "currency": order.currency,
        "order_date": order.order_date,
        "supplier_reference": order.supplier_reference,
        "notes": order.notes,
        "version": order.version,
    }
    lines = [
        {
            "product": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "taxes": [t.pk for t in line.taxes.all()],
        }
        for line in order.lines.all()
    ]
    form, formset = _forms(request, user, company, initial, lines)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.order_update(
                actor=user,
                company=company,
                order_id=order.pk,
                version=form.cleaned_data["version"] or 0,
                data=_order_input(form, formset),
            )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("RFQ saved."))
            return redirect("purchasing:order_detail", pk=order.pk)
    detail = reverse("purchasing:order_detail", args=[order.pk])
    return _render_form(
        request,
        form,
        formset,
        _("Edit %(number)s") % {"number": order.number},
        detail,
        crumbs("orders", (order.number, detail), (_("Edit"), None)),
    )


@require_GET
@company_view("purchasing.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One RFQ or order: lines with received and billed quantities, receipts, bills and the actions its state allows."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "can_manage": can(request, "purchasing.manage"),
        "can_bill": can(request, "purchasing.manage") or can(request, "finance.post"),
        "can_post": can(request, "finance.post"),
        "can_view_finance": can(request, "finance.view_ledger"),
        "bill_form": BillForm(),
        "breadcrumbs": crumbs("orders", (order.number, None)),
    }
    return render(request, "purchasing/order_detail.html", context)


def _transition(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    user, company = caller(request)
    try:
        order = service(actor=user, company=company, order_id=pk)
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"number": order.number, "state": order.get_state_display().lower()})
    return redirect("purchasing:order_detail", pk=pk)


@require_POST
@company_view("purchasing.manage")
def order_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.order_send, _("%(number)s marked as sent."))


@require_POST
@company_view("purchasing.manage")
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm an RFQ; above the approval threshold it waits for approval instead."""
    return _transition(request, pk, services.order_confirm, _("%(number)s is now %(state)s."))


@require_POST
@company_view("purchasing.manage")
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.order_cancel, _("%(number)s cancelled."))


@require_GET
@company_view("purchasing.view")
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The RFQ or purchase order as a PDF for the supplier."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    try:
        content = order_pdf_bytes(order)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("purchasing:order_detail", pk=pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{order.number.replace("/", "-")}.pdf"'
    return response


@require_POST
@company_view("purchasing.view")
def order_bill(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the vendor bill of what was received and not billed (buyers and finance)."""
    user, company = caller(request)
    form = BillForm(request.POST)
    form.is_valid()
    try:
        bill = services.bill_create(
            actor=user,
            company=company,
            order_id=pk,
            bill_date=form.cleaned_data.get("bill_date"),
            reference=form.cleaned_data.get("reference") or "",
        )
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return redirect("purchasing:order_detail", pk=pk)
    messages.success(request, _("Vendor bill drafted; check the match before posting it."))
    return redirect("purchasing:order_match", pk=bill.order_id)


@require_GET
@company_view("purchasing.view")
def order_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The three-way match: ordered, received and billed per line, with the differences flagged."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    rows = selectors.order_match(user=user, company=company, order_id=pk)
    context = {
        "order": order,
        "rows": rows,
        "flagged": any(r.flags for r in rows),
        "bills": list(order.bills.all()),
        "can_post": can(request, "finance.post"),
        "can_view_finance": can(request, "finance.view_ledger"),
        "post_form": BillPostForm(),
        "breadcrumbs": crumbs("orders", (order.number, reverse("purchasing:order_detail", args=[order.pk])), (_("Match"), None)),
    }
    return render(request, "purchasing/order_match.html", context)


@require_POST
@company_view("finance.post")
def bill_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a vendor bill from its order's match; differences need the confirmation box ticked."""
    user, company = caller(request)
    bill = selectors.bill_get(user=user, company=company, bill_id=pk)
    form = BillPostForm(request.POST)
    form.is_valid()
    try:
        services.bill_post(
            actor=user, company=company, bill_id=bill.pk, confirm_differences=bool(form.cleaned_data.get("confirm_differences"))
        )
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Vendor bill posted."))
    return redirect("purchasing:order_match", pk=bill.order_id)
