"""Invoices and bills: list and export, detail, draft form with live totals, post, credit note, payment."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.finance import selectors_ui, services
from spona.back.finance.exports import pdf_http_response
from spona.back.finance.forms import (
    PAYMENT_STATE_LABELS,
    CreditForm,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceLineForm,
    InvoiceLineFormSet,
    PaymentForm,
    invoice_lines_data,
    set_party_choices,
)
from spona.back.finance.models import Invoice
from spona.back.finance.pdf import render_pdf
from spona.back.finance.views.common import SIDES, amount_format, bounded_index, caller, parse_id, side_crumb, side_of
from spona.core.errors import ApplicationError, StateError, ValidationFailed
from spona.core.selectors import Page
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
MAX_LINES = 199
INBOUND_KINDS = ("out_invoice", "in_refund")


def _rows(invoices: list[Invoice]) -> list[dict[str, Any]]:
    return [
        {
            "invoice": inv,
            "residual": selectors_ui.residual_of(inv),
            "payment_state": PAYMENT_STATE_LABELS.get(inv.payment_state, ""),
            "fmt": amount_format(inv.currency),
        }
        for inv in invoices
    ]


# List and export -----------------------------------------------------------------------------


def _filter_form(request: HttpRequest, side: str) -> InvoiceFilterForm:
    user, company = caller(request)
    form = InvoiceFilterForm(request.GET, side=side, search_url=reverse("web:party_search"))
    form.is_valid()  # a bad value drops only its own filter
    party_id = form.filters().party_id
    set_party_choices(form.fields["party"], selectors_ui.partner_choices(user=user, company=company, ids=[party_id or 0]))
    return form


@require_GET
@company_view("finance.view_ledger")
def invoice_list(request: HttpRequest, side: str) -> HttpResponse:
    """List invoices (or bills) with filters and search; an htmx request gets only the results."""
    user, company = caller(request)
    form = _filter_form(request, side)
    filters = form.filters()
    try:
        page = selectors_ui.invoice_page(
            user=user,
            company=company,
            side=side,
            filters=filters,
            cursor=form.cleaned_data.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = Page(items=[], next_cursor=None)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "side": side,
        "title": SIDES[side]["title"],
        "form": form,
        "page": page,
        "rows": _rows(page.items),
        "filtered": any(v for k, v in vars(filters).items()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query.urlencode(),
        "can_post": can(request, "finance.post"),
        "list_url": reverse(SIDES[side]["list"]),
        "create_url": reverse(SIDES[side]["create"]),
        "export_url": reverse("finance:invoice_export" if side == "sale" else "finance:bill_export"),
        "breadcrumbs": [(SIDES[side]["title"], None)],
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "finance/partials/_invoice_results.html", context)
    return render(request, "finance/invoice_list.html", context)


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@require_GET
@company_view("finance.view_ledger")
def invoice_export(request: HttpRequest, side: str) -> StreamingHttpResponse:
    """Stream the filtered list as CSV, row by row, however many invoices it holds."""
    user, company = caller(request)
    form = _filter_form(request, side)
    rows = selectors_ui.invoice_export_rows(user=user, company=company, side=side, filters=form.filters())
    writer = csv.writer(_Echo())
    header = ["number", "kind", "state", "partner", "invoice_date", "due_date", "currency", "untaxed", "tax", "total"]
    header += ["open_amount", "payment_state", "reference"]

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for inv in rows:
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        inv.number,
                        inv.kind,
                        inv.state,
                        inv.party.name,
                        inv.invoice_date.isoformat(),
                        inv.due_date.isoformat() if inv.due_date else "",
                        inv.currency,
                        inv.untaxed,
                        inv.tax,
                        inv.total,
                        selectors_ui.residual_of(inv),
                        inv.payment_state,
                        inv.reference,
                    )
                ]
            )

    name = "invoices" if side == "sale" else "bills"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
    return response


# Detail and actions ---------------------------------------------------------------------------


def _tax_summary(request: HttpRequest, invoice: Invoice) -> list[dict[str, Any]]:
    user, company = caller(request)
    lines = list(invoice.lines.all())
    taxes = {t.pk: t for line in lines for t in line.taxes.all()}
    result = selectors_ui.invoice_preview(
        user=user,
        company=company,
        side=side_of(invoice.kind),
        currency=invoice.currency,
        lines=[
            selectors_ui.PreviewLine(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_ids=[t.pk for t in line.taxes.all()],
            )
            for line in lines
        ],
    )
    return [{"name": taxes[key].name, "base": t.base, "amount": t.amount} for key, t in result.taxes.items() if key in taxes]


@require_GET
@company_view("finance.view_ledger")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an invoice: lines, taxes, totals, what is still open, its entry, credit notes and payments."""
    user, company = caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=pk)
    side = side_of(invoice.kind)
    posted = invoice.is_posted()
    can_post = can(request, "finance.post")
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "side": side,
            "fmt": amount_format(invoice.currency),
            "company_fmt": amount_format(company.base_currency),
            "residual": selectors_ui.residual_of(invoice),
            "payment_state": PAYMENT_STATE_LABELS.get(invoice.payment_state, ""),
            "taxes": _tax_summary(request, invoice),
            "settlements": selectors_ui.invoice_settlements(user=user, company=company, invoice=invoice),
            "can_edit": can_post and invoice.is_draft(),
            "can_pay": can_post and posted and invoice.payment_state in ("not_paid", "partial"),
            "can_credit": can_post and posted and not invoice.is_refund(),
            "breadcrumbs": [side_crumb(side), (str(invoice), None)],
        },
    )


@require_POST
@company_view("finance.post")
def invoice_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a draft: number it and post its journal entry."""
    user, company = caller(request)
    try:
        invoice = services.invoice_post(actor=user, company=company, invoice_id=pk)
    except (ValidationFailed, StateError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(number)s is posted.") % {"number": invoice.number})
    return redirect("finance:invoice_detail", pk=pk)


@company_view("finance.post")
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a credit note (or a vendor refund) for a posted invoice, with the reason."""
    user, company = caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=pk)
    form = CreditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit = services.invoice_credit(actor=user, company=company, invoice_id=pk, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Credit note %(number)s is posted.") % {"number": credit.number})
            return redirect("finance:invoice_detail", pk=credit.pk)
    side = side_of(invoice.kind)
    return render(
        request,
        "finance/invoice_action.html",
        {
            "form": form,
            "invoice": invoice,
            "title": _("Credit note for %(number)s") % {"number": invoice.number or invoice},
            "submit_label": _("Issue the credit note"),
            "cancel_url": reverse("finance:invoice_detail", args=[pk]),
            "breadcrumbs": [side_crumb(side), (str(invoice), reverse("finance:invoice_detail", args=[pk])), (_("Credit"), None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("finance.post")
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a payment of a posted invoice; the amount defaults to what is still open."""
    user, company = caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=pk)
    journals = selectors_ui.invoice_payment_journals(user=user, company=company)
    accounts = selectors_ui.account_list(user=user, company=company, postable=True)
    initial = {"amount": selectors_ui.residual_of(invoice), "date": timezone.localdate(), "reference": invoice.number}
    form = PaymentForm(request.POST or None, initial=initial, journals=journals, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_register(
                actor=user,
                company=company,
                direction="inbound" if invoice.kind in INBOUND_KINDS else "outbound",
                party_id=invoice.party_id,
                amount=data["amount"],
                journal_id=data["journal"],
                date=data["date"],
                currency=invoice.currency,
                invoice_ids=[invoice.pk],
                reference=data["reference"],
                write_off_account_id=data["write_off_account"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, field_map={"write_off_account_id": "write_off_account", "invoice_ids": "amount"})
        else:
            messages.success(request, _("The payment is registered."))
            return redirect("finance:invoice_detail", pk=pk)
    side = side_of(invoice.kind)
    return render(
        request,
        "finance/invoice_action.html",
        {
            "form": form,
            "invoice": invoice,
            "title": _("Register a payment of %(number)s") % {"number": invoice.number or invoice},
            "submit_label": _("Register the payment"),
            "cancel_url": reverse("finance:invoice_detail", args=[pk]),
            "breadcrumbs": [side_crumb(side), (str(invoice), reverse("finance:invoice_detail", args=[pk])), (_("Payment"), None)],
        },
        status=422 if form.errors else 200,
    )


# Draft form ----------------------------------------------------------------------------------


def _line_options(request: HttpRequest, side: str) -> dict[str, Any]:
    user, company = caller(request)
    return {
        "accounts": selectors_ui.account_list(user=user, company=company, postable=True),
        "taxes": selectors_ui.tax_list(user=user, company=company, use="sales" if side == "sale" else "purchase"),
    }


def _apply_invoice_error(header: InvoiceForm, used: list[Any], exc: ApplicationError) -> None:
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
    apply_error(header, exc)


def _invoice_form_page(request: HttpRequest, side: str, invoice: Invoice | None) -> HttpResponse:
    user, company = caller(request)
    posted = request.method == "POST"
    options = _line_options(request, side)
    party_id = request.POST.get("party") if posted else (invoice.party_id if invoice else None)
    header = InvoiceForm(
        request.POST if posted else None,
        initial=InvoiceForm.initial_for(invoice)
        if invoice
        else {
            "kind": "out_invoice" if side == "sale" else "in_invoice",
            "invoice_date": timezone.localdate(),
            "currency": company.base_currency,
        },
        side=side,
        search_url=reverse("web:party_search"),
        terms=selectors_ui.payment_term_list(user=user, company=company),
        parties=selectors_ui.partner_choices(user=user, company=company, ids=[parse_id(party_id)]),
    )
    if invoice is not None:
        header.fields["kind"].disabled = True
    lines = InvoiceLineFormSet(request.POST if posted else invoice_lines_data(invoice), prefix="lines", form_kwargs=options)
    stale = False
    if posted and header.is_valid() and lines.is_valid():
        data = header.cleaned_data
        used = lines.used_forms()
        common = {
            "party_id": data["party"],
            "invoice_date": data["invoice_date"],
            "lines": [f.to_input() for f in used],
            "currency": data["currency"],
            "payment_term_id": data["payment_term"],
            "reference": data["reference"],
            "notes": data["notes"],
        }
        try:
            if invoice is None:
                saved = services.invoice_create(actor=user, company=company, kind=data["kind"], **common)
            else:
                saved = services.invoice_update(
                    actor=user, company=company, invoice_id=invoice.pk, version=data["version"] or 0, **common
                )
        except ApplicationError as exc:
            stale = exc.code == "conflict"
            _apply_invoice_error(header, used, exc)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("finance:invoice_detail", pk=saved.pk)
    title = (
        (_("New customer invoice") if side == "sale" else _("New vendor bill"))
        if invoice is None
        else _("Edit %(name)s") % {"name": invoice}
    )
    status = 409 if stale else 422 if header.errors or lines.total_error_count() else 200
    return render(
        request,
        "finance/invoice_form.html",
        {
            "form": header,
            "lines": lines,
            "invoice": invoice,
            "side": side,
            "stale": stale,
            "title": title,
            "totals": _totals(request, side, lines, request.POST.get("currency") if posted else header.initial.get("currency")),
            "cancel_url": reverse("finance:invoice_detail", args=[invoice.pk]) if invoice else reverse(SIDES[side]["list"]),
            "breadcrumbs": [
                side_crumb(side),
                *([(str(invoice), reverse("finance:invoice_detail", args=[invoice.pk]))] if invoice else []),
                (title, None),
            ],
        },
        status=status,
    )


@company_view("finance.post")
def invoice_create(request: HttpRequest, side: str) -> HttpResponse:
    """Prepare a draft invoice or bill with as many lines as needed."""
    return _invoice_form_page(request, side, None)


@company_view("finance.post")
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft; a stale edit (someone saved in between) is refused with a clear message."""
    user, company = caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=pk)
    if not invoice.is_draft():
        messages.error(request, _("%(number)s is posted; issue a credit note instead.") % {"number": invoice.number})
        return redirect("finance:invoice_detail", pk=pk)
    return _invoice_form_page(request, side_of(invoice.kind), invoice)


def _totals(request: HttpRequest, side: str, lines: Any, currency: str | None) -> dict[str, Any]:
    """Live totals of the lines as typed: exactly what posting would compute."""
    user, company = caller(request)
    previews = []
    for form in lines.forms:
        preview = form.to_preview()
        if preview is not None:
            previews.append(preview)
    currency = (currency or company.base_currency).strip().upper()[:3]
    if len(currency) != 3 or not currency.isalpha():
        currency = company.base_currency
    result = selectors_ui.invoice_preview(user=user, company=company, side=side, currency=currency, lines=previews)
    names = {t.pk: t.name for t in lines.form_kwargs["taxes"]}
    return {
        "currency": currency,
        "fmt": amount_format(currency),
        "untaxed": result.untaxed,
        "taxes": [{"name": names.get(key, ""), "amount": t.amount} for key, t in result.taxes.items()],
        "total": result.total,
    }


@require_POST
@company_view("finance.post")
def invoice_totals(request: HttpRequest, side: str) -> HttpResponse:
    """Answer the draft form's live totals (htmx) with the totals partial."""
    lines = InvoiceLineFormSet(request.POST, prefix="lines", form_kwargs=_line_options(request, side))
    if not lines.management_form.is_valid():
        return render(request, "finance/partials/_invoice_totals.html", {"totals": None})
    totals = _totals(request, side, lines, request.POST.get("currency"))
    return render(request, "finance/partials/_invoice_totals.html", {"totals": totals})


@require_GET
@company_view("finance.post")
def invoice_line(request: HttpRequest, side: str) -> HttpResponse:
    """Answer "Add a line" (htmx) with one more empty row and the formset's new row count."""
    index = bounded_index(request.GET.get("lines-TOTAL_FORMS"), MAX_LINES)
    form = InvoiceLineForm(prefix=f"lines-{index}", **_line_options(request, side))
    return render(request, "finance/partials/_invoice_line.html", {"line": form, "index": index, "total_forms": index + 1})


@require_GET
@company_view("finance.view_ledger")
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the document as an A4 PDF: company, partner address, lines, tax summary, totals, due dates."""
    user, company = caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=pk)
    address = invoice.party.addresses.order_by("kind", "pk").first()
    data = render_pdf(
        "finance/pdf/invoice.html",
        {
            "invoice": invoice,
            "company": company,
            "address": address,
            "fmt": amount_format(invoice.currency),
            "taxes": _tax_summary(request, invoice),
            "instalments": selectors_ui.invoice_instalments(user=user, company=company, invoice=invoice),
        },
        stamp=invoice.invoice_date,
        title=str(invoice),
    )
    name = (invoice.number or f"draft-{invoice.pk}").replace("/", "-")
    return pdf_http_response(data, f"{name}.pdf")
