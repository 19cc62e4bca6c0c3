"""The finance REST endpoints for reports, bank statements, fiscal years and the chart's changes.

Mounted on the finance router (``/api/v1/finance/``) by ``spona.back.finance.api``; same rules:
thin, explicit input schemas, amounts as decimal strings, ids looked up in the caller's company.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from spona.back.finance import selectors, selectors_ui, services
from spona.back.finance.api import AccountOut, Day, _caller, _money
from spona.back.finance.models import Account, BankStatement
from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.permissions import require

router = Router(tags=["finance"])

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
Compare = Literal["", "previous_period", "previous_year"]


def _range(date_from: dt.date, date_to: dt.date) -> None:
    if date_from > date_to:
        raise ValidationFailed("The start date is after the end date.", field_errors={"date_from": ["After the end date."]})


def _today() -> dt.date:
    return dt.date.today()


# Reports -------------------------------------------------------------------------------------------------


class PeriodParams(Schema):
    date_from: Day | None = Field(None, description="Default: the first of January of ``date_to``'s year.")
    date_to: Day | None = Field(None, description="Default: today.")

    def period(self) -> tuple[dt.date, dt.date]:
        date_to = self.date_to or _today()
        date_from = self.date_from or date_to.replace(month=1, day=1)
        _range(date_from, date_to)
        return date_from, date_to


class StatementParams(PeriodParams):
    compare: Compare = ""


class BalanceSheetParams(Schema):
    date_to: Day | None = Field(None, description="Default: today.")
    compare: Compare = ""


class StatementRowOut(Schema):
    account_id: int | None
    code: str
    name: str
    amount: str
    compare: str | None


class SectionOut(Schema):
    title: str
    rows: list[StatementRowOut]
    total: str
    compare_total: str | None


class StatementOut(Schema):
    title: str
    currency: str
    date_from: dt.date | None
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    sections: list[SectionOut]
    result_label: str
    result: str
    compare_result: str | None


def _report_out(report: Any, currency: str) -> dict[str, Any]:
    def money(value: Decimal | None) -> str | None:
        return None if value is None else _money(value, currency)

    return {
        "title": report.title,
        "currency": currency,
        "date_from": report.date_from,
        "date_to": report.date_to,
        "compare_from": report.compare_from,
        "compare_to": report.compare_to,
        "sections": [
            {
                "title": s.title,
                "rows": [
                    {
                        "account_id": r.account_id,
                        "code": r.code,
                        "name": r.name,
                        "amount": money(r.amount),
                        "compare": money(r.compare),
                    }
                    for r in s.rows
                ],
                "total": money(s.total),
                "compare_total": money(s.compare_total),
            }
            for s in report.sections
        ],
        "result_label": report.result_label,
        "result": money(report.result),
        "compare_result": money(report.compare_result),
    }


@router.get("/reports/profit-and-loss", response=StatementOut)
def get_finance_profit_and_loss(request: HttpRequest, params: Query[StatementParams]) -> Any:
    """Income less expenses over a period, optionally with the previous period or year beside it."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    date_from, date_to = params.period()
    report = selectors.profit_and_loss(user=user, company=company, date_from=date_from, date_to=date_to, compare=params.compare)
    return _report_out(report, company.base_currency)


@router.get("/reports/balance-sheet", response=StatementOut)
def get_finance_balance_sheet(request: HttpRequest, params: Query[BalanceSheetParams]) -> Any:
    """Assets, liabilities and equity at a date, optionally beside an earlier date."""
    user, company = _caller(request)
    report = selectors.balance_sheet(user=user, company=company, date_to=params.date_to or _today(), compare=params.compare)
    return _report_out(report, company.base_currency)


class AgedParams(Schema):
    kind: Literal["receivable", "payable"] = "receivable"
    on: Day | None = None
    buckets: list[int] = Field([30, 60, 90], min_length=1, max_length=8, description="Upper bounds in days of the columns.")


class AgedRowOut(Schema):
    party_id: int
    party: str
    buckets: list[str]
    total: str


class AgedOut(Schema):
    kind: str
    on: dt.date
    currency: str
    labels: list[str]
    rows: list[AgedRowOut]
    totals: list[str]


@router.get("/reports/aged", response=AgedOut)
def get_finance_aged_balances(request: HttpRequest, params: Query[AgedParams]) -> Any:
    """Open receivables or payables per partner by days past due; a column per bucket."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    if any(not 1 <= b <= 3650 for b in params.buckets):
        raise ValidationFailed("Bucket bounds are between 1 and 3650 days.", field_errors={"buckets": ["Out of range."]})
    on = params.on or _today()
    report = selectors.aged_balances(user=user, company=company, kind=params.kind, on=on, buckets=params.buckets)
    currency = company.base_currency
    return {
        "kind": report.kind,
        "on": report.on,
        "currency": currency,
        "labels": report.labels,
        "rows": [
            {
                "party_id": r.party_id,
                "party": r.party,
                "buckets": [_money(b, currency) for b in r.buckets],
                "total": _money(r.total, currency),
            }
            for r in report.rows
        ],
        "totals": [_money(t, currency) for t in report.totals],
    }


class LedgerParams(PeriodParams):
    account_id: Id | None = Field(None, description="Required: the account to show.")
    party_id: Id | None = None
    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(1000, ge=1, le=10000)


class LedgerLineOut(Schema):
    entry_id: int
    number: str
    date: dt.date
    label: str
    party: str
    debit: str
    credit: str
    balance: str


class LedgerOut(Schema):
    account: AccountOut
    currency: str
    opening: str
    lines: list[LedgerLineOut]
    next_offset: int | None


@router.get("/reports/general-ledger", response=LedgerOut)
def get_finance_general_ledger(request: HttpRequest, params: Query[LedgerParams]) -> Any:
    """One account's posted lines with the running balance, a page (``offset``, ``limit``) at a time."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    if params.account_id is None:
        raise ValidationFailed("Choose the account.", field_errors={"account_id": ["Required."]})
    date_from, date_to = params.period()
    account = selectors_ui.account_get(user=user, company=company, account_id=params.account_id)
    opening, stream = selectors.general_ledger_stream(
        user=user, company=company, account_id=account.pk, date_from=date_from, date_to=date_to, party_id=params.party_id
    )
    page = list(itertools.islice(stream, params.offset, params.offset + params.limit + 1))
    more = len(page) > params.limit
    currency = company.base_currency
    return {
        "account": account,
        "currency": currency,
        "opening": _money(opening, currency),
        "lines": [
            {
                "entry_id": x.entry_id,
                "number": x.number,
                "date": x.date,
                "label": x.label,
                "party": x.party,
                "debit": _money(x.debit, currency),
                "credit": _money(x.credit, currency),
                "balance": _money(x.balance, currency),
            }
            for x in page[: params.limit]
        ],
        "next_offset": params.offset + params.limit if more else None,
    }


class TaxRowOut(Schema):
    group: str
    tax: str
    use: str
    base: str
    amount: str


class TaxReportOut(Schema):
    currency: str
    date_from: dt.date
    date_to: dt.date
    rows: list[TaxRowOut]


@router.get("/reports/tax", response=TaxReportOut)
def get_finance_tax_report(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    """Tax bases and amounts per tax and tax group over a period (sales owed, purchases deductible)."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    date_from, date_to = params.period()
    rows = selectors.tax_report(user=user, company=company, date_from=date_from, date_to=date_to)
    currency = company.base_currency
    return {
        "currency": currency,
        "date_from": date_from,
        "date_to": date_to,
        "rows": [
            {
                "group": r.group or "",
                "tax": r.tax,
                "use": r.use,
                "base": _money(r.base, currency),
                "amount": _money(r.amount, currency),
            }
            for r in rows
        ],
    }


class CashFlowOut(StatementOut):
    operating: str
    cash_start: str
    cash_end: str
    compare_operating: str | None
    compare_cash_start: str | None
    compare_cash_end: str | None


@router.get("/reports/cash-flow", response=CashFlowOut)
def get_finance_cash_flow(request: HttpRequest, params: Query[StatementParams]) -> Any:
    """Where the cash of a period came from and went (indirect method), optionally beside the previous period or year.

    Sections: result of the period, non-cash items, changes in working capital (together the cash
    from operating activities), investing, financing; ``result`` is the net change in cash, which
    equals ``cash_end`` − ``cash_start``.
    """
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    date_from, date_to = params.period()
    report = selectors.cash_flow(user=user, company=company, date_from=date_from, date_to=date_to, compare=params.compare)
    currency = company.base_currency

    def money(value: Decimal | None) -> str | None:
        return None if value is None else _money(value, currency)

    return {
        **_report_out(report, currency),
        "operating": money(report.operating),
        "cash_start": money(report.cash_start),
        "cash_end": money(report.cash_end),
        "compare_operating": money(report.compare_operating),
        "compare_cash_start": money(report.compare_cash_start),
        "compare_cash_end": money(report.compare_cash_end),
    }


class JournalAuditParams(PeriodParams):
    journal_id: Id | None = Field(None, description="Required: the journal to audit.")
    offset: int = Field(0, ge=0, le=10**9)
    limit: int = Field(1000, ge=1, le=10000)


class EntryRefOut(Schema):
    id: int
    number: str


class JournalAuditRowOut(Schema):
    entry_id: int
    position: int
    date: dt.date
    number: str
    memo: str
    debit: str
    credit: str
    posted_by: str
    posted_at: dt.datetime | None
    reversal_of: EntryRefOut | None
    reversed_by: EntryRefOut | None
    hash: str
    previous_hash: str
    missing_before: int = Field(description="Numbers of the series that no posted entry carries, just before this one.")
    chain_break: str = Field(description="Why the hash chain breaks at this entry; empty when it holds.")


class ChainBreakOut(Schema):
    position: int
    number: str
    reason: str


class JournalAuditOut(Schema):
    journal_id: int
    journal: str
    currency: str
    date_from: dt.date
    date_to: dt.date
    chain_breaks: list[ChainBreakOut]
    rows: list[JournalAuditRowOut]
    next_offset: int | None


@router.get("/reports/journal-audit", response=JournalAuditOut)
def get_finance_journal_audit(request: HttpRequest, params: Query[JournalAuditParams]) -> Any:
    """A journal's posted entries of a period in number order, with hashes, gaps and chain breaks; a page at a time."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    if params.journal_id is None:
        raise ValidationFailed("Choose the journal.", field_errors={"journal_id": ["Required."]})
    date_from, date_to = params.period()
    report = selectors.journal_audit(
        user=user, company=company, journal_id=params.journal_id, date_from=date_from, date_to=date_to
    )
    page = list(itertools.islice(report.rows, params.offset, params.offset + params.limit + 1))
    currency = company.base_currency

    def ref(link: tuple[int, str] | None) -> dict[str, Any] | None:
        return None if link is None else {"id": link[0], "number": link[1]}

    return {
        "journal_id": report.journal_id,
        "journal": report.journal,
        "currency": currency,
        "date_from": date_from,
        "date_to": date_to,
        "chain_breaks": [{"position": b.position, "number": b.number, "reason": b.reason} for b in report.breaks],
        "rows": [
            {
                **{k: getattr(r, k) for k in ("entry_id", "position", "date", "number", "memo", "posted_by", "posted_at")},
                "debit": _money(r.debit, currency),
                "credit": _money(r.credit, currency),
                "reversal_of": ref(r.reversal_of),
                "reversed_by": ref(r.reversed_by),
                "hash": r.hash,
                "previous_hash": r.previous_hash,
                "missing_before": r.missing_before,
                "chain_break": r.chain_break,
            }
            for r in page[: params.limit]
        ],
        "next_offset": params.offset + params.limit if len(page) > params.limit else None,
    }


class AnalyticParams(StatementParams):
    dimension: Literal["cost_centre", "project"] = "cost_centre"


class AnalyticRowOut(Schema):
    analytic_id: int | None = Field(description="None: the lines that carry no value of the dimension.")
    code: str
    name: str
    income: str
    expense: str
    result: str
    compare_income: str | None
    compare_expense: str | None
    compare_result: str | None


class AnalyticOut(Schema):
    dimension: str
    currency: str
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    rows: list[AnalyticRowOut]
    total_result: str
    compare_total_result: str | None


@router.get("/reports/analytic", response=AnalyticOut)
def get_finance_analytic_report(request: HttpRequest, params: Query[AnalyticParams]) -> Any:
    """Income, expenses and result per cost centre or project over a period, optionally beside an earlier one."""
    user, company = _caller(request)
    require(user, "finance.view_ledger", company)
    date_from, date_to = params.period()
    report = selectors.analytic_report(
        user=user, company=company, dimension=params.dimension, date_from=date_from, date_to=date_to, compare=params.compare
    )
    currency = company.base_currency

    def money(value: Decimal | None) -> str | None:
        return None if value is None else _money(value, currency)

    return {
        "dimension": report.dimension,
        "currency": currency,
        "date_from": date_from,
        "date_to": date_to,
        "compare_from": report.compare_from,
        "compare_to": report.compare_to,
        "rows": [
            {
                "analytic_id": r.analytic_id,
                "code": r.code,
                "name": r.name,
                **{k: money(getattr(r, k)) for k in ("income", "expense", "result")},
                **{k: money(getattr(r, k)) for k in ("compare_income", "compare_expense", "compare_result")},
            }
            for r in report.rows
        ],
        "total_result": money(report.total("result")),
        "compare_total_result": money(report.total("compare_result")),
    }


# Bank statements --------------------------------------------------------------------------------------------


class StatementLineOut(Schema):
    id: int
    date: dt.date
    amount: str
    label: str
    reference: str
    partner_name: str
    transaction_id: str
    entry_id: int | None
    reconciled: bool


class BankStatementSummary(Schema):
    id: int
    name: str
    date: dt.date
    journal_id: int
    source_format: str
    balance_start: str | None
    balance_end: str | None
    line_count: int
    open_count: int


class BankStatementOut(BankStatementSummary):
    lines: list[StatementLineOut]


class StatementImportIn(Schema):
    journal_id: Id
    file_format: Literal["camt053", "ofx", "csv"]
    csv_date_column: Text = Field("", max_length=100)
    csv_amount_column: Text = Field("", max_length=100)
    csv_debit_column: Text = Field("", max_length=100)
    csv_credit_column: Text = Field("", max_length=100)
    csv_label_column: Text = Field("", max_length=100)
    csv_reference_column: Text = Field("", max_length=100)
    csv_partner_column: Text = Field("", max_length=100)
    csv_date_format: Text = Field("%Y-%m-%d", max_length=20)
    csv_decimal_separator: Literal[".", ","] = "."
    csv_delimiter: Literal[",", ";", "\t", "|"] = ","

    def mapping(self) -> dict[str, str]:
        columns = {
            "date": self.csv_date_column,
            "amount": self.csv_amount_column,
            "debit": self.csv_debit_column,
            "credit": self.csv_credit_column,
            "label": self.csv_label_column,
            "reference": self.csv_reference_column,
            "partner_name": self.csv_partner_column,
        }
        return {key: value for key, value in columns.items() if value}


def _statement_summary(statement: BankStatement, currency: str, line_count: int, open_count: int) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "name": statement.name,
        "date": statement.date,
        "journal_id": statement.journal_id,
        "source_format": statement.source_format,
        "balance_start": None if statement.balance_start is None else _money(statement.balance_start, currency),
        "balance_end": None if statement.balance_end is None else _money(statement.balance_end, currency),
        "line_count": line_count,
        "open_count": open_count,
    }


def _statement_out(request: HttpRequest, statement_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    statement = selectors_ui.statement_get(user=user, company=company, statement_id=statement_id)
    currency = company.base_currency
    lines = selectors_ui.statement_lines(user=user, company=company, statement=statement)
    return {
        **_statement_summary(statement, currency, len(lines), sum(1 for x in lines if x.entry_id is None)),
        "lines": [
            {
                "id": x.pk,
                "date": x.date,
                "amount": _money(x.amount, currency),
                "label": x.label,
                "reference": x.reference,
                "partner_name": x.partner_name,
                "transaction_id": x.transaction_id,
                "entry_id": x.entry_id,
                "reconciled": x.entry_id is not None,
            }
            for x in lines
        ],
    }


@router.get("/bank-statements", response=list[BankStatementSummary])
def list_finance_bank_statements(request: HttpRequest) -> Any:
    """List imported bank statements, newest first, with how many lines are still open."""
    user, company = _caller(request)
    currency = company.base_currency
    return [
        _statement_summary(s, currency, s.line_count, s.open_count)  # type: ignore[attr-defined]
        for s in selectors_ui.statement_list(user=user, company=company)
    ]


@router.get("/bank-statements/{statement_id}", response=BankStatementOut)
def get_finance_bank_statement(request: HttpRequest, statement_id: Id) -> Any:
    """One statement with its lines and what each is reconciled with."""
    return _statement_out(request, statement_id)


@router.post("/bank-statements", response={201: BankStatementOut})
def import_finance_bank_statement(request: HttpRequest, options: Form[StatementImportIn], file: File[UploadedFile]) -> Any:
    """Import a statement file (multipart: ``file`` and the options) into a bank journal, all or nothing.

    The same file twice into one journal is refused (422). A CSV needs its column names.
    """
    user, company = _caller(request)
    if file.size is None or file.size > MAX_STATEMENT_BYTES:
        raise ValidationFailed("The file is larger than 5 MB.", field_errors={"file": ["Too large."]})
    statement = services.statement_import(
        actor=user,
        company=company,
        journal_id=options.journal_id,
        data=file.read(),
        file_format=options.file_format,
        csv_mapping=options.mapping(),
        csv_date_format=options.csv_date_format or "%Y-%m-%d",
        csv_decimal_separator=options.csv_decimal_separator,
        csv_delimiter=options.csv_delimiter,
    )
    return Status(201, _statement_out(request, statement.pk))


class LineReconcileIn(Input):
    entry_id: Id | None = Field(None, description="A payment already posted in the bank journal for the same amount.")
    invoice_ids: list[Id] = Field([], max_length=100, description="Invoices of one partner this line pays.")
    account_id: Id | None = Field(None, description="Book the amount to this account (bank charges, interest).")
    party_id: Id | None = None


@router.post("/bank-statement-lines/{line_id}/reconcile", response=StatementLineOut)
def reconcile_finance_bank_statement_line(request: HttpRequest, line_id: Id, payload: LineReconcileIn) -> Any:
    """Reconcile one statement line with a posted payment, with invoices, or by booking it to an account."""
    user, company = _caller(request)
    if sum(1 for x in (payload.entry_id, payload.invoice_ids, payload.account_id) if x) != 1:
        raise ValidationFailed("Give exactly one of entry_id, invoice_ids or account_id.")
    line = selectors_ui.bank_line_get(user=user, company=company, line_id=line_id)
    line = services.line_reconcile(
        actor=user,
        company=company,
        line_id=line.pk,
        entry_id=payload.entry_id,
        invoice_ids=payload.invoice_ids,
        account_id=payload.account_id,
        party_id=payload.party_id,
    )
    currency = company.base_currency
    return {
        "id": line.pk,
        "date": line.date,
        "amount": _money(line.amount, currency),
        "label": line.label,
        "reference": line.reference,
        "partner_name": line.partner_name,
        "transaction_id": line.transaction_id,
        "entry_id": line.entry_id,
        "reconciled": True,
    }


# Fiscal years ---------------------------------------------------------------------------------------------


class FiscalYearOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date
    closed: bool
    closed_at: dt.datetime | None


def _year_out(year: Any) -> dict[str, Any]:
    return {
        "id": year.pk,
        "name": year.name,
        "start": year.start,
        "end": year.end,
        "closed": year.is_closed(),
        "closed_at": year.closed_at,
    }


@router.get("/fiscal-years", response=list[FiscalYearOut])
def list_finance_fiscal_years(request: HttpRequest) -> Any:
    """List the fiscal years, latest first, with their state."""
    user, company = _caller(request)
    return [_year_out(y) for y in selectors_ui.fiscal_year_list(user=user, company=company)]


@router.post("/fiscal-years/{year_id}/close", response=FiscalYearOut)
def close_finance_fiscal_year(request: HttpRequest, year_id: Id) -> Any:
    """Close a fiscal year: result to retained earnings, trial balance kept, hard lock at its end.

    Refused (422) with drafts or unreconciled bank lines in the year; 409 when an earlier year is open
    or it is closed already.
    """
    user, company = _caller(request)
    year = selectors_ui.fiscal_year_get(user=user, company=company, year_id=year_id)
    return _year_out(services.fiscal_year_close(actor=user, company=company, year_id=year.pk))


# Chart of accounts -------------------------------------------------------------------------------------------


class AccountPatch(Input):
    name: Text | None = Field(None, min_length=1, max_length=200)
    parent_id: Id | None = None
    reconcilable: bool | None = None
    is_active: bool | None = None
    cash_flow: Literal[tuple(Account.CashFlow.values)] | None = None  # type: ignore[valid-type]


@router.patch("/accounts/{account_id}", response=AccountOut)
def update_finance_account(request: HttpRequest, account_id: Id, payload: AccountPatch) -> Any:
    """Rename, move, (de)activate an account or make it reconcilable; code, type and function stay."""
    user, company = _caller(request)
    changes = payload.dict(exclude_unset=True)
    if changes.get("name", "") is None or any(changes.get(k, False) is None for k in ("reconcilable", "is_active", "cash_flow")):
        raise ValidationFailed("Name, reconcilable, is_active and cash_flow cannot be null.")
    return services.account_update(actor=user, company=company, account_id=account_id, **changes)
