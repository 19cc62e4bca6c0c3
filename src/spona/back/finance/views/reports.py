"""The finance reports: statements, aged balances, ledgers, tax, journal audit and analytic reports.

Every page reads one selector of ``spona.back.finance.selectors`` and shows it; the same data
goes to CSV, XLSX and PDF through ``spona.back.finance.exports`` when ``?export=`` asks for it.
Amounts drill down: an account to its lines in the general ledger, a line to its entry.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from spona.back.finance import exports, selectors, selectors_ui
from spona.back.finance.exports import Table
from spona.back.finance.forms_reports import (
    AgedForm,
    AnalyticForm,
    AnalyticLinesForm,
    BalanceSheetForm,
    GeneralLedgerForm,
    JournalAuditForm,
    PartnerLedgerForm,
    PeriodForm,
    ProfitAndLossForm,
    ReportForm,
    year_start,
)
from spona.back.finance.views.common import amount_format, caller
from spona.core.errors import ApplicationError
from spona.web.views.base import company_view

MAX_PAGE_LINES = 2_000
REPORTS = (
    ("finance:report_profit_and_loss", _lazy("Profit and loss"), _lazy("Income less expenses over a period, with comparison.")),
    ("finance:report_balance_sheet", _lazy("Balance sheet"), _lazy("Assets, liabilities and equity at a date.")),
    (
        "finance:report_cash_flow",
        _lazy("Cash-flow statement"),
        _lazy("Where the cash came from and went, by the indirect method."),
    ),
    ("finance:report_aged", _lazy("Aged receivables and payables"), _lazy("Open items per partner by days past due.")),
    ("finance:report_general_ledger", _lazy("General ledger"), _lazy("An account's lines with running balance.")),
    ("finance:report_partner_ledger", _lazy("Partner ledger"), _lazy("A partner's receivable and payable lines.")),
    ("finance:report_tax", _lazy("Tax report"), _lazy("Tax bases and amounts per tax and tax group.")),
    ("finance:trial_balance", _lazy("Trial balance"), _lazy("Debit, credit and balance per account.")),
    (
        "finance:report_journal_audit",
        _lazy("Journal audit"),
        _lazy("A journal's entries in number order with hashes, gaps and chain breaks."),
    ),
    (
        "finance:report_analytic",
        _lazy("Cost centres and projects"),
        _lazy("Income and expenses per cost centre or project."),
    ),
)


def labels() -> dict[str, str]:
    """The words the selectors and exports use, in the reader's language."""
    return {
        "Profit and loss": _("Profit and loss"),
        "Balance sheet": _("Balance sheet"),
        "Income": _("Income"),
        "Expenses": _("Expenses"),
        "Assets": _("Assets"),
        "Liabilities": _("Liabilities"),
        "Equity": _("Equity"),
        "Net profit": _("Net profit"),
        "Assets − liabilities − equity": _("Assets − liabilities − equity"),
        "Unallocated earnings": _("Unallocated earnings"),
        "Not due": _("Not due"),
        "aged_receivable": _("Aged receivables"),
        "aged_payable": _("Aged payables"),
        "sales": _("Sales"),
        "purchase": _("Purchases"),
        "code": _("Code"),
        "account": _("Account"),
        "total": _("Total"),
        "partner": _("Partner"),
        "date": _("Date"),
        "entry": _("Entry"),
        "label": _("Label"),
        "debit": _("Debit"),
        "credit": _("Credit"),
        "balance": _("Balance"),
        "opening": _("Opening balance"),
        "closing": _("Closing balance"),
        "use": _("Use"),
        "tax_group": _("Tax group"),
        "tax": _("Tax"),
        "base": _("Base"),
        "tax_amount": _("Tax amount"),
        "tax_report": _("Tax report"),
        "general_ledger": _("General ledger"),
        "partner_ledger": _("Partner ledger"),
        "Cash-flow statement": _("Cash-flow statement"),
        "Result of the period": _("Result of the period"),
        "Non-cash items": _("Non-cash items"),
        "Changes in working capital": _("Changes in working capital"),
        "Investing activities": _("Investing activities"),
        "Financing activities": _("Financing activities"),
        "Net cash from operating activities": _("Net cash from operating activities"),
        "Net change in cash": _("Net change in cash"),
        "Cash at the start": _("Cash at the start"),
        "Cash at the end": _("Cash at the end"),
        "journal_audit": _("Journal audit"),
        "position": _("Position"),
        "memo": _("Memo"),
        "posted_by": _("Posted by"),
        "posted_at": _("Posted at"),
        "reversal_of": _("Reverses"),
        "reversed_by": _("Reversed by"),
        "hash": _("Hash"),
        "findings": _("Findings"),
        "missing_numbers": _("{count} number(s) missing before this entry"),
        "chain_break": _("chain broken: {reason}"),
        "analytic_report": _("Income and expenses"),
        "cost_centre": _("Cost centre"),
        "project": _("Project"),
        "result": _("Result"),
        "Unassigned": _("Unassigned"),
    }


def _export(form: ReportForm, table: Table) -> HttpResponseBase | None:
    kind = form.value("export", "")
    if kind == "csv":
        return exports.csv_response(table)
    if kind == "xlsx":
        return exports.xlsx_response(table)
    if kind == "pdf":
        return exports.pdf_response(table)
    return None


def _page(request: HttpRequest, template: str, title: str, context: dict[str, Any]) -> HttpResponse:
    _user, company = caller(request)
    query = request.GET.copy()
    query.pop("export", None)
    return render(
        request,
        template,
        {
            **context,
            "title": title,
            "fmt": amount_format(company.base_currency),
            "currency": company.base_currency,
            "query": query.urlencode(),
            "breadcrumbs": [(_("Reports"), reverse("finance:report_index")), (title, None)],
        },
    )


def _range_ok(request: HttpRequest, date_from: dt.date, date_to: dt.date) -> bool:
    if date_from > date_to:
        messages.error(request, _("The start date is after the end date."))
        return False
    return True


@require_GET
@company_view("finance.view_ledger")
def report_index(request: HttpRequest) -> HttpResponse:
    """List the finance and management reports."""
    return render(
        request,
        "finance/report_index.html",
        {"reports": [(reverse(url), name, text) for url, name, text in REPORTS], "breadcrumbs": [(_("Reports"), None)]},
    )


def _statement_rows(report: Any, names: dict[str, str], date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Sections with their rows, each account row linked to its lines in the general ledger."""
    ledger = reverse("finance:report_general_ledger")
    sections = []
    for section in report.sections:
        rows = []
        for row in section.rows:
            link = f"{ledger}?account={row.account_id}&date_from={date_from}&date_to={date_to}" if row.account_id else ""
            rows.append({"row": row, "name": names.get(row.name, row.name), "url": link})
        sections.append({"title": names.get(section.title, section.title), "section": section, "rows": rows})
    return sections


@require_GET
@company_view("finance.view_ledger")
def report_profit_and_loss(request: HttpRequest) -> HttpResponseBase:
    """Show income less expenses over a period, optionally beside the previous period or year."""
    user, company = caller(request)
    form = ProfitAndLossForm(request.GET)
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    report = None
    if _range_ok(request, date_from, date_to):
        report = selectors.profit_and_loss(
            user=user, company=company, date_from=date_from, date_to=date_to, compare=form.value("compare", "")
        )
        table = exports.statement_table(report, currency=company.base_currency, company=company.name, labels=names)
        exported = _export(form, table)
        if exported is not None:
            return exported
    context: dict[str, Any] = {"form": form, "report": report, "date_from": date_from, "date_to": date_to}
    if report is not None:
        context["sections"] = _statement_rows(report, names, date_from, date_to)
        context["result_label"] = names.get(report.result_label, report.result_label)
    return _page(request, "finance/report_statement.html", names["Profit and loss"], context)


@require_GET
@company_view("finance.view_ledger")
def report_balance_sheet(request: HttpRequest) -> HttpResponseBase:
    """Show assets against liabilities and equity at a date, optionally beside an earlier date."""
    user, company = caller(request)
    form = BalanceSheetForm(request.GET)
    form.is_valid()
    date_to = form.value("date_to", dt.date.today())
    names = labels()
    report = selectors.balance_sheet(user=user, company=company, date_to=date_to, compare=form.value("compare", ""))
    exported = _export(form, exports.statement_table(report, currency=company.base_currency, company=company.name, labels=names))
    if exported is not None:
        return exported
    context = {
        "form": form,
        "report": report,
        "date_to": date_to,
        "sections": _statement_rows(report, names, year_start(date_to), date_to),
        "result_label": names.get(report.result_label, report.result_label),
    }
    return _page(request, "finance/report_statement.html", names["Balance sheet"], context)


@require_GET
@company_view("finance.view_ledger")
def report_aged(request: HttpRequest) -> HttpResponseBase:
    """Show open receivables or payables per partner by days past due; the buckets are configurable."""
    user, company = caller(request)
    form = AgedForm(request.GET)
    if not form.is_valid() and "buckets" in form.errors:
        messages.error(request, str(form.errors["buckets"][0]))
    on = form.value("on", dt.date.today())
    kind = form.value("kind", "receivable")
    report = selectors.aged_balances(user=user, company=company, kind=kind, on=on, buckets=form.value("buckets", [30, 60, 90]))
    names = labels()
    exported = _export(form, exports.aged_table(report, currency=company.base_currency, company=company.name, labels=names))
    if exported is not None:
        return exported
    partner_ledger = reverse("finance:report_partner_ledger")
    rows = [
        {"row": row, "url": f"{partner_ledger}?party={row.party_id}&date_from=1900-01-01&date_to={on}"} for row in report.rows
    ]
    context = {
        "form": form,
        "report": report,
        "bucket_labels": [names.get(b, b) for b in report.labels],
        "rows": rows,
        "grand_total": sum(report.totals),
    }
    return _page(request, "finance/report_aged.html", names["aged_" + kind], context)


@require_GET
@company_view("finance.view_ledger")
def report_general_ledger(request: HttpRequest) -> HttpResponseBase:
    """Show one account's posted lines in a period between its opening and closing balance."""
    user, company = caller(request)
    accounts = selectors_ui.account_list(user=user, company=company, postable=True)
    form = GeneralLedgerForm(request.GET, accounts=accounts)
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    account_id = form.value("account", None)
    account = next((a for a in accounts if a.pk == account_id), None)
    context: dict[str, Any] = {"form": form, "account": account, "date_from": date_from, "date_to": date_to}
    if account is not None and _range_ok(request, date_from, date_to):
        opening, lines = selectors.general_ledger_stream(
            user=user, company=company, account_id=account.pk, date_from=date_from, date_to=date_to
        )
        if form.value("export", ""):
            table = exports.ledger_table(
                opening,
                lines,
                title=f"{names['general_ledger']} {account.code} {account.name}",
                date_from=date_from,
                date_to=date_to,
                currency=company.base_currency,
                company=company.name,
                labels=names,
            )
            return _export(form, table)  # type: ignore[return-value]
        # A page shows the first lines only; the exports carry them all.
        ledger_lines = list(itertools.islice(lines, MAX_PAGE_LINES + 1))
        truncated = len(ledger_lines) > MAX_PAGE_LINES
        if truncated:
            ledger_lines = ledger_lines[:MAX_PAGE_LINES]
            closing = selectors.account_balance(company=company, account_id=account.pk, date_to=date_to)
        else:
            closing = ledger_lines[-1].balance if ledger_lines else opening
        context.update(opening=opening, lines=ledger_lines, closing=closing, ledger=True, truncated=truncated)
    return _page(request, "finance/report_ledger.html", names["general_ledger"], context)


@require_GET
@company_view("finance.view_ledger")
def report_partner_ledger(request: HttpRequest) -> HttpResponseBase:
    """Show a partner's receivable and payable lines with running balances."""
    user, company = caller(request)
    form = PartnerLedgerForm(request.GET, search_url=reverse("web:party_search"))
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    found = selectors_ui.partner_choices(user=user, company=company, ids=[form.value("party", 0)])
    form.fields["party"].widget.choices = [("", ""), *((p.pk, p.name) for p in found)]
    partner = found[0] if found else None
    context: dict[str, Any] = {"form": form, "partner": partner, "date_from": date_from, "date_to": date_to}
    if partner is not None and _range_ok(request, date_from, date_to):
        ledgers = selectors.partner_ledger(user=user, company=company, party_id=partner.pk, date_from=date_from, date_to=date_to)
        table = exports.partner_ledger_table(
            ledgers,
            title=f"{names['partner_ledger']} {partner.name}",
            date_from=date_from,
            date_to=date_to,
            currency=company.base_currency,
            company=company.name,
            labels=names,
        )
        exported = _export(form, table)
        if exported is not None:
            return exported
        context["ledgers"] = ledgers
    return _page(request, "finance/report_partner_ledger.html", names["partner_ledger"], context)


@require_GET
@company_view("finance.view_ledger")
def report_tax(request: HttpRequest) -> HttpResponseBase:
    """Show tax bases and amounts per tax and tax group over a period."""
    user, company = caller(request)
    form = PeriodForm(request.GET)
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    rows: list[Any] = []
    if _range_ok(request, date_from, date_to):
        rows = selectors.tax_report(user=user, company=company, date_from=date_from, date_to=date_to)
        table = exports.tax_table(
            rows, date_from=date_from, date_to=date_to, currency=company.base_currency, company=company.name, labels=names
        )
        exported = _export(form, table)
        if exported is not None:
            return exported
    context = {
        "form": form,
        "rows": [{"row": r, "use": names.get(r.use, r.use)} for r in rows],
        "date_from": date_from,
        "date_to": date_to,
        "entries_url": reverse("finance:entry_list"),
    }
    return _page(request, "finance/report_tax.html", names["tax_report"], context)


@require_GET
@company_view("finance.view_ledger")
def report_cash_flow(request: HttpRequest) -> HttpResponseBase:
    """Show where the cash of a period came from and went, optionally beside the previous period or year."""
    user, company = caller(request)
    form = ProfitAndLossForm(request.GET)
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    report = None
    context: dict[str, Any] = {"form": form, "date_from": date_from, "date_to": date_to}
    if _range_ok(request, date_from, date_to):
        try:
            report = selectors.cash_flow(
                user=user, company=company, date_from=date_from, date_to=date_to, compare=form.value("compare", "")
            )
        except ApplicationError as error:
            # The figures do not add up: say so instead of showing a statement that is wrong.
            messages.error(request, error.message)
    if report is not None:
        exported = _export(
            form, exports.cash_flow_table(report, currency=company.base_currency, company=company.name, labels=names)
        )
        if exported is not None:
            return exported
        sections = _statement_rows(report, names, date_from, date_to)
        # The result drills down to the profit and loss of the same period.
        pl_url = f"{reverse('finance:report_profit_and_loss')}?date_from={date_from}&date_to={date_to}"
        sections[0]["rows"] = [{**r, "url": pl_url} for r in sections[0]["rows"]]
        context.update(report=report, sections=sections, result_label=names[report.result_label])
    return _page(request, "finance/report_cash_flow.html", names["Cash-flow statement"], context)


@require_GET
@company_view("finance.view_ledger")
def report_journal_audit(request: HttpRequest) -> HttpResponseBase:
    """Show a journal's posted entries of a period in number order, with gaps and chain breaks flagged."""
    user, company = caller(request)
    journals = selectors_ui.journal_list(user=user, company=company)
    form = JournalAuditForm(request.GET, journals=journals)
    form.is_valid()
    date_from, date_to = form.period()
    names = labels()
    journal = next((j for j in journals if j.pk == form.value("journal", None)), None)
    context: dict[str, Any] = {"form": form, "journal": journal, "date_from": date_from, "date_to": date_to}
    if journal is not None and _range_ok(request, date_from, date_to):
        report = selectors.journal_audit(user=user, company=company, journal_id=journal.pk, date_from=date_from, date_to=date_to)
        table = exports.journal_audit_table(report, currency=company.base_currency, company=company.name, labels=names)
        exported = _export(form, table)
        if exported is not None:
            return exported
        # A page shows the first entries only; the exports carry them all.
        rows = list(itertools.islice(report.rows, MAX_PAGE_LINES + 1))
        context.update(
            report=report,
            rows=[
                {"row": r, "findings": exports.audit_findings(r.missing_before, r.chain_break, names)}
                for r in rows[:MAX_PAGE_LINES]
            ],
            truncated=len(rows) > MAX_PAGE_LINES,
        )
    return _page(request, "finance/report_journal_audit.html", names["journal_audit"], context)


@require_GET
@company_view("finance.view_ledger")
def report_analytic(request: HttpRequest) -> HttpResponseBase:
    """Show income, expenses and result per cost centre or project, optionally beside an earlier period."""
    user, company = caller(request)
    form = AnalyticForm(request.GET)
    form.is_valid()
    date_from, date_to = form.period()
    dimension = form.value("dimension", "cost_centre")
    names = labels()
    context: dict[str, Any] = {"form": form, "date_from": date_from, "date_to": date_to, "dimension": dimension}
    if _range_ok(request, date_from, date_to):
        report = selectors.analytic_report(
            user=user,
            company=company,
            dimension=dimension,
            date_from=date_from,
            date_to=date_to,
            compare=form.value("compare", ""),
        )
        exported = _export(
            form, exports.analytic_table(report, currency=company.base_currency, company=company.name, labels=names)
        )
        if exported is not None:
            return exported
        lines_url = reverse("finance:report_analytic_lines")
        period = f"dimension={dimension}&date_from={date_from}&date_to={date_to}"
        context.update(
            report=report,
            rows=[
                {
                    "row": r,
                    "name": r.name if r.analytic_id else names["Unassigned"],
                    "url": f"{lines_url}?{period}" + (f"&analytic={r.analytic_id}" if r.analytic_id else ""),
                }
                for r in report.rows
            ],
            totals={name: report.total(name) for name in ("income", "expense", "result", "compare_result")},
            dimension_label=names[dimension],
        )
    return _page(request, "finance/report_analytic.html", f"{names['analytic_report']} – {names[dimension]}", context)


@require_GET
@company_view("finance.view_ledger")
def report_analytic_lines(request: HttpRequest) -> HttpResponseBase:
    """Show the income and expense lines behind one cost centre or project (or those without one)."""
    user, company = caller(request)
    form = AnalyticLinesForm(request.GET)
    form.is_valid()
    date_from, date_to = form.period()
    dimension = form.value("dimension", "cost_centre")
    names = labels()
    context: dict[str, Any] = {"form": form, "date_from": date_from, "date_to": date_to}
    if _range_ok(request, date_from, date_to):
        lines = selectors.analytic_lines(
            user=user,
            company=company,
            dimension=dimension,
            analytic_id=form.value("analytic", None),
            date_from=date_from,
            date_to=date_to,
        )
        page = list(itertools.islice(lines, MAX_PAGE_LINES + 1))
        context.update(lines=page[:MAX_PAGE_LINES], truncated=len(page) > MAX_PAGE_LINES)
    return _page(request, "finance/report_analytic_lines.html", f"{names['analytic_report']} – {names[dimension]}", context)
