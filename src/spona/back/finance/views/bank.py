"""Bank statements (import, lines with suggestions, reconciliation), fiscal years and their close, chart forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.finance import selectors_ui, services
from spona.back.finance.forms_reports import CSV_FIELDS, AccountForm, LineBookForm, StatementImportForm
from spona.back.finance.views.common import amount_format, caller, parse_id
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, can, company_view

SESSION_MAPPING = "finance.statement_mapping"
CSV_OPTIONS = ("date_format", "decimal_separator", "delimiter")


def _remembered(request: HttpRequest, journal_id: int) -> dict[str, str]:
    return dict(request.session.get(SESSION_MAPPING, {}).get(str(journal_id), {}))


def _remember(request: HttpRequest, journal_id: int, form: StatementImportForm) -> None:
    """Keep the CSV column mapping and formats of this journal in the session for the next import."""
    stored = dict(request.session.get(SESSION_MAPPING, {}))
    values = {f"col_{name}": form.cleaned_data.get(f"col_{name}", "") for name, _label in CSV_FIELDS}
    values.update({name: form.cleaned_data.get(name, "") for name in CSV_OPTIONS})
    stored[str(journal_id)] = values
    request.session[SESSION_MAPPING] = stored


# Statements ---------------------------------------------------------------------------------------


@require_GET
@company_view("finance.view_ledger")
def statement_list(request: HttpRequest) -> HttpResponse:
    """List imported bank statements with how many lines are still to reconcile."""
    user, company = caller(request)
    return render(
        request,
        "finance/statement_list.html",
        {
            "statements": selectors_ui.statement_list(user=user, company=company),
            "fmt": amount_format(company.base_currency),
            "can_import": can(request, "finance.post"),
            "breadcrumbs": [(_("Bank statements"), None)],
        },
    )


@company_view("finance.post")
def statement_import(request: HttpRequest) -> HttpResponse:
    """Import a CAMT.053, OFX or CSV statement into a bank journal; a CSV needs its column mapping."""
    user, company = caller(request)
    journals = selectors_ui.journal_list(user=user, company=company)
    if request.method == "POST":
        form = StatementImportForm(request.POST, request.FILES, journals=journals)
        if form.is_valid():
            data = form.cleaned_data
            try:
                statement = services.statement_import(
                    actor=user,
                    company=company,
                    journal_id=data["journal"],
                    data=data["file"].read(),
                    file_format=data["file_format"],
                    csv_mapping=form.mapping(),
                    csv_date_format=data["date_format"] or "%Y-%m-%d",
                    csv_decimal_separator=data["decimal_separator"] or ".",
                    csv_delimiter=data["delimiter"] or ",",
                )
            except ApplicationError as exc:
                apply_error(form, exc, {"journal_id": "journal"})
            else:
                if data["file_format"] == "csv":
                    _remember(request, data["journal"], form)
                messages.success(request, _("The statement is imported."))
                return redirect("finance:statement_detail", pk=statement.pk)
    else:
        journal_id = parse_id(request.GET.get("journal")) or next((j.pk for j in journals if j.kind == "bank"), 0)
        form = StatementImportForm(initial={"journal": journal_id, **_remembered(request, journal_id)}, journals=journals)
    return render(
        request,
        "finance/statement_import.html",
        {
            "form": form,
            "csv_fields": [form[f"col_{name}"] for name, _label in CSV_FIELDS],
            "title": _("Import a bank statement"),
            "cancel_url": reverse("finance:statement_list"),
            "breadcrumbs": [(_("Bank statements"), reverse("finance:statement_list")), (_("Import"), None)],
        },
        status=422 if form.errors else 200,
    )


@require_GET
@company_view("finance.view_ledger")
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a statement's lines; each open line with its suggestions and the actions that reconcile it."""
    user, company = caller(request)
    statement = selectors_ui.statement_get(user=user, company=company, statement_id=pk)
    lines = selectors_ui.statement_lines(user=user, company=company, statement=statement)
    can_post = can(request, "finance.post")
    accounts = selectors_ui.account_list(user=user, company=company, postable=True) if can_post else []
    rows: list[dict[str, Any]] = []
    for line in lines:
        row: dict[str, Any] = {"line": line}
        if not line.is_reconciled() and can_post:
            row["suggestions"] = services.line_suggestions(company=company, line=line)
            row["entries"] = services.unmatched_bank_entries(company=company, line=line)
            row["book_form"] = LineBookForm(accounts=accounts, prefix=f"line-{line.pk}")
        rows.append(row)
    return render(
        request,
        "finance/statement_detail.html",
        {
            "statement": statement,
            "rows": rows,
            "open_count": sum(1 for line in lines if not line.is_reconciled()),
            "fmt": amount_format(company.base_currency),
            "can_post": can_post,
            "breadcrumbs": [(_("Bank statements"), reverse("finance:statement_list")), (str(statement), None)],
        },
    )


@require_POST
@company_view("finance.post")
def statement_auto(request: HttpRequest, pk: int) -> HttpResponse:
    """Reconcile every line of the statement that has exactly one sure match."""
    user, company = caller(request)
    statement = selectors_ui.statement_get(user=user, company=company, statement_id=pk)
    try:
        done = services.statement_auto_reconcile(actor=user, company=company, statement_id=statement.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s lines reconciled automatically.") % {"count": done})
    return redirect("finance:statement_detail", pk=statement.pk)


@require_POST
@company_view("finance.post")
def bank_line_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    """Reconcile one statement line with a posted payment, with invoices, or by booking it to an account."""
    user, company = caller(request)
    line = selectors_ui.bank_line_get(user=user, company=company, line_id=pk)
    entry_id = parse_id(request.POST.get("entry"))
    invoice_ids = [i for i in (parse_id(v) for v in request.POST.getlist("invoice")) if i]
    account_id = parse_id(request.POST.get(f"line-{line.pk}-account") or request.POST.get("account"))
    if not (entry_id or invoice_ids or account_id):
        messages.error(request, _("Choose a payment, invoices or an account for this line."))
        return redirect("finance:statement_detail", pk=line.statement_id)
    try:
        services.line_reconcile(
            actor=user,
            company=company,
            line_id=line.pk,
            entry_id=entry_id or None,
            invoice_ids=invoice_ids if not entry_id else (),
            account_id=account_id if not (entry_id or invoice_ids) else None,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The line is reconciled."))
    return redirect("finance:statement_detail", pk=line.statement_id)


# Fiscal years ------------------------------------------------------------------------------------------


@require_GET
@company_view("finance.view_ledger")
def fiscal_year_list(request: HttpRequest) -> HttpResponse:
    """List the fiscal years with their state; an open year offers "Close year"."""
    user, company = caller(request)
    return render(
        request,
        "finance/fiscal_year_list.html",
        {
            "years": selectors_ui.fiscal_year_list(user=user, company=company),
            "can_close": can(request, "finance.lock_periods"),
            "breadcrumbs": [(_("Fiscal years"), None)],
        },
    )


@company_view("finance.lock_periods")
def fiscal_year_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm closing a year, then close it; a refusal (drafts, bank lines, earlier year open) is shown."""
    user, company = caller(request)
    year = selectors_ui.fiscal_year_get(user=user, company=company, year_id=pk)
    error = ""
    if request.method == "POST":
        try:
            services.fiscal_year_close(actor=user, company=company, year_id=year.pk)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Fiscal year %(name)s is closed.") % {"name": year.name})
            return redirect("finance:fiscal_year_list")
    return render(
        request,
        "finance/fiscal_year_close.html",
        {
            "year": year,
            "error": error,
            "breadcrumbs": [(_("Fiscal years"), reverse("finance:fiscal_year_list")), (year.name, None)],
        },
        status=422 if error else 200,
    )


# Chart of accounts -----------------------------------------------------------------------------------


def _groups(request: HttpRequest) -> list[Any]:
    user, company = caller(request)
    return [a for a in selectors_ui.account_list(user=user, company=company) if a.is_group]


@company_view("finance.manage_settings")
def account_create(request: HttpRequest) -> HttpResponse:
    """Add an account to the chart."""
    user, company = caller(request)
    form = AccountForm(request.POST if request.method == "POST" else None, groups=_groups(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.account_create(
                actor=user,
                company=company,
                code=data["code"],
                name=data["name"],
                type=data["type"],
                role=data["role"],
                parent_id=data["parent"],
                is_group=data["is_group"],
                reconcilable=data["reconcilable"],
                cash_flow=data["cash_flow"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"parent_id": "parent"})
        else:
            messages.success(request, _("Account %(account)s is added.") % {"account": account})
            return redirect("finance:account_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New account"),
            "cancel_url": reverse("finance:account_list"),
            "breadcrumbs": [(_("Chart of accounts"), reverse("finance:account_list")), (_("New"), None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("finance.manage_settings")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, move, (de)activate an account or make it reconcilable; code, type and function stay."""
    user, company = caller(request)
    account = selectors_ui.account_get(user=user, company=company, account_id=pk)
    initial = {"name": account.name, "parent": account.parent_id, "reconcilable": account.reconcilable}
    initial.update(is_active=account.is_active, cash_flow=account.cash_flow)
    groups = [g for g in _groups(request) if g.pk != account.pk and g.type == account.type]
    form = AccountForm(request.POST if request.method == "POST" else None, initial=initial, groups=groups, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_update(
                actor=user,
                company=company,
                account_id=account.pk,
                name=data["name"],
                parent_id=data["parent"],
                reconcilable=data["reconcilable"],
                is_active=data["is_active"],
                cash_flow=data["cash_flow"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"parent_id": "parent"})
        else:
            messages.success(request, _("The account is saved."))
            return redirect("finance:account_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": str(account),
            "cancel_url": reverse("finance:account_list"),
            "breadcrumbs": [(_("Chart of accounts"), reverse("finance:account_list")), (str(account), None)],
        },
        status=422 if form.errors else 200,
    )
