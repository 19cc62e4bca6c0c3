"""The finance REST endpoints under /api/v1/finance/: accounts, journals, entries, invoices, payments, trial balance.

Thin by rule: each endpoint parses an explicit input schema, calls one finance service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields and refuse any other (SEC2): company, state, number, hash, totals and
version counters come from the services only. Amounts travel as decimal strings ("1079.37"),
never as binary floats. Ids are looked up within the caller's company, so another company's
record answers 404. Errors are ``spona.core.errors`` answered as problem JSON by the API layer:
ValidationFailed 422 with field errors, StateError and Conflict 409.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict

from spona.back.finance import selectors, selectors_ui, services
from spona.back.finance.models import Account, Invoice, Journal, JournalEntry, Payment
from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.money import round_amount

router = Router(tags=["finance"])

MAX_LINES = 100


def _reasonable_date(value: dt.date) -> dt.date:
    # Fiscal years are computed a year ahead: dates near the calendar's ends are no business dates.
    if not 1900 <= value.year <= 2999:
        raise ValueError("Give a date between the years 1900 and 2999.")
    return value


Day = Annotated[dt.date, AfterValidator(_reasonable_date)]
Currency = Annotated[Text, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code, e.g. EUR.")]
# Bounds keep every product and sum inside the ledger's columns (20 digits, 4 decimals).
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), decimal_places=4, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1e6"), decimal_places=4, allow_inf_nan=False)]
UnitPrice = Annotated[Decimal, Field(ge=0, le=Decimal("1e8"), decimal_places=6, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, allow_inf_nan=False)]
InvoiceKind = Literal[tuple(Invoice.Kind.values)]  # type: ignore[valid-type]
InvoiceState = Literal[tuple(Invoice.State.values)]  # type: ignore[valid-type]
EntryState = Literal[tuple(JournalEntry.State.values)]  # type: ignore[valid-type]
Direction = Literal[tuple(Payment.Direction.values)]  # type: ignore[valid-type]
PaymentState = Literal["", "not_paid", "partial", "paid"]
MoneyText = Annotated[str, Field(description="A decimal amount as a string, e.g. 1079.37.")]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _money(value: Decimal | None, currency: str) -> str:
    return str(round_amount(value or Decimal(0), currency))


class PageParams(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class DateRange(Schema):
    date_from: Day | None = None
    date_to: Day | None = None


class Ref(Schema):
    id: int
    name: str


# Accounts and journals ---------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    code: str
    name: str
    type: Literal[tuple(Account.Type.values)]  # type: ignore[valid-type]
    role: str
    cash_flow: str
    parent_id: int | None
    is_group: bool
    reconcilable: bool
    currency: str
    is_active: bool


class JournalOut(Schema):
    id: int
    code: str
    name: str
    kind: Literal[tuple(Journal.Kind.values)]  # type: ignore[valid-type]
    default_account_id: int | None
    is_active: bool


@router.get("/accounts", response=list[AccountOut])
def list_finance_accounts(request: HttpRequest) -> Any:
    """List the chart of accounts by code."""
    user, company = _caller(request)
    return selectors_ui.account_list(user=user, company=company)


class AccountIn(Input):
    code: Text = Field(..., min_length=1, max_length=20)
    name: Text = Field(..., min_length=1, max_length=200)
    type: Literal[tuple(Account.Type.values)]  # type: ignore[valid-type]
    role: Literal[tuple(Account.Role.values)] = ""  # type: ignore[valid-type]
    cash_flow: Literal[tuple(Account.CashFlow.values)] = ""  # type: ignore[valid-type]
    parent_id: Id | None = None
    is_group: bool = False
    reconcilable: bool = False


@router.post("/accounts", response={201: AccountOut})
def create_finance_account(request: HttpRequest, payload: AccountIn) -> Any:
    """Add an account to the chart; codes are unique per company."""
    user, company = _caller(request)
    account = services.account_create(actor=user, company=company, **payload.dict())
    return Status(201, account)


@router.get("/journals", response=list[JournalOut])
def list_finance_journals(request: HttpRequest) -> Any:
    """List the journals by code."""
    user, company = _caller(request)
    return selectors_ui.journal_list(user=user, company=company)


# Journal entries ---------------------------------------------------------------------------------


class EntryLineOut(Schema):
    id: int
    account_id: int
    account_code: str
    label: str
    party_id: int | None
    debit: MoneyText
    credit: MoneyText
    currency: str
    amount_currency: MoneyText
    tax_id: int | None
    due_date: dt.date | None


class EntrySummary(Schema):
    id: int
    journal_id: int
    journal_code: str
    state: EntryState
    number: str
    date: dt.date
    reference: str
    memo: str
    party_id: int | None
    reversal_of_id: int | None
    chain_position: int | None = Field(description="Position in the journal's SHA-256 chain, once posted.")
    hash: str


class EntryOut(EntrySummary):
    previous_hash: str
    lines: list[EntryLineOut]


class EntryPage(Schema):
    items: list[EntrySummary]
    next_cursor: str | None


class EntryLineIn(Input):
    account_id: Id
    debit: Amount = Decimal(0)
    credit: Amount = Decimal(0)
    label: Text = Field("", max_length=200)
    party_id: Id | None = None


class EntryIn(Input):
    """A manual draft entry; post it with /post."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "journal_id": 5,
                    "date": "2026-04-30",
                    "memo": "April rent",
                    "lines": [{"account_id": 40, "debit": "900.00"}, {"account_id": 3, "credit": "900.00"}],
                }
            ]
        }
    )

    journal_id: Id
    date: Day
    reference: Text = Field("", max_length=100)
    memo: Text = Field("", max_length=300)
    party_id: Id | None = None
    lines: list[EntryLineIn] = Field(min_length=1, max_length=500)


class ReverseIn(Input):
    reason: Text = Field("", max_length=200)
    date: Day | None = Field(None, description="Omit: the original's date, or today when that date is locked.")


class EntryFilters(PageParams, DateRange):
    journal_id: Id | None = None
    state: EntryState | None = None


def _entry_summary(entry: JournalEntry) -> dict[str, Any]:
    return {
        **{f: getattr(entry, f) for f in ("id", "journal_id", "state", "number", "date", "reference", "memo", "hash")},
        **{f: getattr(entry, f) for f in ("party_id", "reversal_of_id", "chain_position")},
        "journal_code": entry.journal.code,
    }


def _entry_out(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    entry = selectors_ui.entry_get(user=user, company=company, entry_id=entry_id)
    currency = company.base_currency
    lines = [
        {
            **{f: getattr(x, f) for f in ("id", "account_id", "label", "party_id", "currency", "tax_id", "due_date")},
            "account_code": x.account.code,
            "debit": _money(x.debit, currency),
            "credit": _money(x.credit, currency),
            "amount_currency": str(x.amount_currency),
        }
        for x in entry.lines.all()
    ]
    return {**_entry_summary(entry), "previous_hash": entry.previous_hash, "lines": lines}


@router.get("/entries", response=EntryPage)
def list_finance_entries(request: HttpRequest, filters: Query[EntryFilters]) -> Any:
    """List journal entries, newest first, by journal, state and date range (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.entry_page(
        user=user,
        company=company,
        journal_id=filters.journal_id,
        state=filters.state or "",
        date_from=filters.date_from,
        date_to=filters.date_to,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_entry_summary(e) for e in page.items], "next_cursor": page.next_cursor}


@router.get("/entries/{entry_id}", response=EntryOut)
def get_finance_entry(request: HttpRequest, entry_id: Id) -> Any:
    """Return one entry with its lines and its place in the hash chain."""
    return _entry_out(request, entry_id)


@router.post("/entries", response={201: EntryOut})
def create_finance_entry(request: HttpRequest, payload: EntryIn) -> Any:
    """Create a manual draft entry (amounts in company currency); every invalid line is reported."""
    user, company = _caller(request)
    entry = services.entry_create(
        actor=user,
        company=company,
        journal_id=payload.journal_id,
        date=payload.date,
        lines=[services.LineIn(**line.model_dump()) for line in payload.lines],
        reference=payload.reference,
        memo=payload.memo,
        party_id=payload.party_id,
    )
    return Status(201, _entry_out(request, entry.pk))


@router.post("/entries/{entry_id}/post", response=EntryOut)
def post_finance_entry(request: HttpRequest, entry_id: Id) -> Any:
    """Post a draft entry: balanced, dated after the lock dates; numbered and chained. Posted twice answers 409."""
    user, company = _caller(request)
    services.entry_post(actor=user, company=company, entry_id=entry_id)
    return _entry_out(request, entry_id)


@router.post("/entries/{entry_id}/reverse", response={201: EntryOut})
def reverse_finance_entry(request: HttpRequest, entry_id: Id, payload: ReverseIn) -> Any:
    """Cancel a posted entry by posting its mirror image; answers the reversing entry."""
    user, company = _caller(request)
    reversal = services.entry_reverse(actor=user, company=company, entry_id=entry_id, date=payload.date, reason=payload.reason)
    return Status(201, _entry_out(request, reversal.pk))


# Invoices ------------------------------------------------------------------------------------------


class InvoiceLineOut(Schema):
    id: int
    description: str
    account_id: int
    quantity: MoneyText
    unit_price: MoneyText
    discount: MoneyText
    tax_ids: list[int]
    subtotal: MoneyText


class InvoiceSummary(Schema):
    id: int
    kind: InvoiceKind
    state: InvoiceState
    number: str
    partner: Ref
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    reference: str
    untaxed: MoneyText
    tax: MoneyText
    total: MoneyText
    residual: MoneyText = Field(description="Still to be paid, in the invoice's currency.")
    payment_state: PaymentState = Field(description="not_paid, partial or paid once posted; empty for drafts.")
    version: int = Field(description="Send it back with an update; a stale version answers 409.")


class InvoiceOut(InvoiceSummary):
    notes: str
    payment_term_id: int | None
    entry_id: int | None
    reversal_of_id: int | None
    credit_note_ids: list[int]
    lines: list[InvoiceLineOut]


class InvoicePage(Schema):
    items: list[InvoiceSummary]
    next_cursor: str | None


class InvoiceLineIn(Input):
    description: Text = Field(min_length=1, max_length=300)
    account_id: Id
    quantity: Quantity = Decimal(1)
    unit_price: UnitPrice
    discount: Percent = Decimal(0)
    tax_ids: list[Id] = Field(default_factory=list, max_length=10)


class InvoiceUpdate(Input):
    """A draft's header and lines, replaced as a whole; ``version`` is the one you read."""

    version: int = Field(ge=1, le=2**31 - 1)
    party_id: Id
    invoice_date: Day
    currency: Currency | None = Field(None, description="Omit for the company's currency.")
    payment_term_id: Id | None = None
    reference: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=10000)
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=MAX_LINES)


class InvoiceIn(Input):
    """A draft invoice, credit note, bill or refund; post it with /post."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "out_invoice",
                    "party_id": 12,
                    "invoice_date": "2026-04-01",
                    "lines": [
                        {"description": "Consulting", "account_id": 30, "quantity": "10", "unit_price": "85.00", "tax_ids": [1]}
                    ],
                }
            ]
        }
    )

    kind: InvoiceKind
    party_id: Id
    invoice_date: Day
    currency: Currency | None = Field(None, description="Omit for the company's currency.")
    payment_term_id: Id | None = None
    reference: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=10000)
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=MAX_LINES)


class CreditIn(Input):
    reason: Text = Field(min_length=1, max_length=300)


class InvoiceFilters(PageParams, DateRange):
    kind: InvoiceKind | None = None
    state: InvoiceState | None = None
    payment_state: PaymentState | None = None
    party_id: Id | None = None
    q: Text = Field("", max_length=100, description="Matches number, partner name and reference.")


def _invoice_summary(invoice: Invoice) -> dict[str, Any]:
    currency = invoice.currency
    return {
        **{
            f: getattr(invoice, f) for f in ("id", "kind", "state", "number", "invoice_date", "due_date", "currency", "reference")
        },
        "partner": {"id": invoice.party_id, "name": invoice.party.name},
        "untaxed": _money(invoice.untaxed, currency),
        "tax": _money(invoice.tax, currency),
        "total": _money(invoice.total, currency),
        "residual": _money(selectors_ui.residual_of(invoice), currency),
        "payment_state": invoice.payment_state,  # type: ignore[attr-defined]
        "version": invoice.version,
    }


def _invoice_out(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    invoice = selectors_ui.invoice_get(user=user, company=company, invoice_id=invoice_id)
    lines = [
        {
            "id": x.pk,
            "description": x.description,
            "account_id": x.account_id,
            "quantity": str(x.quantity.normalize()),
            "unit_price": str(x.unit_price.normalize()),
            "discount": str(x.discount.normalize()),
            "tax_ids": [t.pk for t in x.taxes.all()],
            "subtotal": _money(x.subtotal, invoice.currency),
        }
        for x in invoice.lines.all()
    ]
    return {
        **_invoice_summary(invoice),
        **{f: getattr(invoice, f) for f in ("notes", "payment_term_id", "entry_id", "reversal_of_id")},
        "credit_note_ids": [c.pk for c in invoice.credit_notes.all()],
        "lines": lines,
    }


def _line_inputs(lines: list[InvoiceLineIn]) -> list[services.InvoiceLineIn]:
    return [services.InvoiceLineIn(**line.model_dump()) for line in lines]


@router.get("/invoices", response=InvoicePage)
def list_finance_invoices(request: HttpRequest, filters: Query[InvoiceFilters]) -> Any:
    """List invoices, credit notes, bills and refunds, newest first, with filters (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.invoice_page(
        user=user,
        company=company,
        side="all",
        filters=selectors_ui.InvoiceFilters(
            kind=filters.kind or "",
            state=filters.state or "",
            payment_state=filters.payment_state or "",
            party_id=filters.party_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
            q=filters.q,
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_invoice_summary(i) for i in page.items], "next_cursor": page.next_cursor}


@router.get("/invoices/{invoice_id}", response=InvoiceOut)
def get_finance_invoice(request: HttpRequest, invoice_id: Id) -> Any:
    """Return one invoice with its lines, what is still open and its credit notes."""
    return _invoice_out(request, invoice_id)


@router.post("/invoices", response={201: InvoiceOut})
def create_finance_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    """Create a draft; totals are computed exactly with the company's rounding policy."""
    user, company = _caller(request)
    invoice = services.invoice_create(
        actor=user,
        company=company,
        kind=payload.kind,
        party_id=payload.party_id,
        invoice_date=payload.invoice_date,
        lines=_line_inputs(payload.lines),
        currency=payload.currency or "",
        payment_term_id=payload.payment_term_id,
        reference=payload.reference,
        notes=payload.notes,
    )
    return Status(201, _invoice_out(request, invoice.pk))


@router.put("/invoices/{invoice_id}", response=InvoiceOut)
def update_finance_invoice(request: HttpRequest, invoice_id: Id, payload: InvoiceUpdate) -> Any:
    """Replace a draft's header and lines; a posted invoice or a stale version answers 409."""
    user, company = _caller(request)
    services.invoice_update(
        actor=user,
        company=company,
        invoice_id=invoice_id,
        version=payload.version,
        party_id=payload.party_id,
        invoice_date=payload.invoice_date,
        lines=_line_inputs(payload.lines),
        currency=payload.currency or "",
        payment_term_id=payload.payment_term_id,
        reference=payload.reference,
        notes=payload.notes,
    )
    return _invoice_out(request, invoice_id)


@router.post("/invoices/{invoice_id}/post", response=InvoiceOut)
def post_finance_invoice(request: HttpRequest, invoice_id: Id) -> Any:
    """Post a draft: number it and post its journal entry. Posting twice answers 409."""
    user, company = _caller(request)
    services.invoice_post(actor=user, company=company, invoice_id=invoice_id)
    return _invoice_out(request, invoice_id)


@router.post("/invoices/{invoice_id}/credit", response={201: InvoiceOut})
def credit_finance_invoice(request: HttpRequest, invoice_id: Id, payload: CreditIn) -> Any:
    """Issue and post a credit note (or vendor refund) for the whole invoice; answers the credit note."""
    user, company = _caller(request)
    credit = services.invoice_credit(actor=user, company=company, invoice_id=invoice_id, reason=payload.reason)
    return Status(201, _invoice_out(request, credit.pk))


# Payments ------------------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    direction: Direction
    partner: Ref
    journal_id: int
    date: dt.date
    amount: MoneyText
    currency: str
    reference: str
    entry_id: int
    number: str = Field(description="The number of the payment's journal entry.")


class PaymentPage(Schema):
    items: list[PaymentOut]
    next_cursor: str | None


class PaymentIn(Input):
    """Money received (inbound) or paid (outbound), settling the given invoices oldest due first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "direction": "inbound",
                    "party_id": 12,
                    "amount": "500.00",
                    "journal_id": 3,
                    "date": "2026-04-06",
                    "invoice_ids": [7],
                }
            ]
        }
    )

    direction: Direction
    party_id: Id
    amount: Annotated[Decimal, Field(gt=0, le=Decimal("1e13"), decimal_places=4, allow_inf_nan=False)]
    journal_id: Id = Field(description="A bank or cash journal.")
    date: Day
    currency: Currency | None = Field(None, description="Omit for the company's currency.")
    invoice_ids: list[Id] = Field(default_factory=list, max_length=100)
    reference: Text = Field("", max_length=100)
    write_off_account_id: Id | None = Field(None, description="Settle the invoices in full, writing the difference off here.")


class PaymentFilters(PageParams, DateRange):
    direction: Direction | None = None
    party_id: Id | None = None


def _payment_out(payment: Payment) -> dict[str, Any]:
    return {
        **{f: getattr(payment, f) for f in ("id", "direction", "journal_id", "date", "currency", "reference", "entry_id")},
        "partner": {"id": payment.party_id, "name": payment.party.name},
        "amount": _money(payment.amount, payment.currency),
        "number": payment.entry.number,
    }


@router.get("/payments", response=PaymentPage)
def list_finance_payments(request: HttpRequest, filters: Query[PaymentFilters]) -> Any:
    """List payments received and made, newest first (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.payment_page(
        user=user,
        company=company,
        direction=filters.direction or "",
        party_id=filters.party_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_payment_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/payments", response={201: PaymentOut})
def register_finance_payment(request: HttpRequest, payload: PaymentIn) -> Any:
    """Register a payment; less than the open amount leaves the invoices partly open, more stays as a credit."""
    user, company = _caller(request)
    payment = services.payment_register(
        actor=user,
        company=company,
        direction=payload.direction,
        party_id=payload.party_id,
        amount=payload.amount,
        journal_id=payload.journal_id,
        date=payload.date,
        currency=payload.currency or "",
        invoice_ids=payload.invoice_ids,
        reference=payload.reference,
        write_off_account_id=payload.write_off_account_id,
    )
    return Status(201, _payment_out(selectors_ui.payment_get(user=user, company=company, payment_id=payment.pk)))


# Reports ---------------------------------------------------------------------------------------------


class TrialBalanceRowOut(Schema):
    account_id: int
    code: str
    name: str
    type: str
    debit: MoneyText
    credit: MoneyText
    balance: MoneyText


class TrialBalanceOut(Schema):
    currency: str
    date_from: dt.date | None
    date_to: dt.date | None
    rows: list[TrialBalanceRowOut]
    debit: MoneyText
    credit: MoneyText


@router.get("/trial-balance", response=TrialBalanceOut)
def get_finance_trial_balance(request: HttpRequest, filters: Query[DateRange]) -> Any:
    """Debit, credit and balance per account over posted lines in a date range, in company currency."""
    user, company = _caller(request)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed("The start date is after the end date.", field_errors={"date_from": ["After the end date."]})
    rows = selectors.trial_balance(user=user, company=company, date_from=filters.date_from, date_to=filters.date_to)
    currency = company.base_currency
    return {
        "currency": currency,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "rows": [
            {
                "account_id": r.account_id,
                "code": r.code,
                "name": r.name,
                "type": r.type,
                "debit": _money(r.debit, currency),
                "credit": _money(r.credit, currency),
                "balance": _money(r.balance, currency),
            }
            for r in rows
        ],
        "debit": _money(sum((r.debit for r in rows), Decimal(0)), currency),
        "credit": _money(sum((r.credit for r in rows), Decimal(0)), currency),
    }


# Reports, bank statements, fiscal years and chart changes live in their own module; imported last,
# because it reuses this module's schemas.
from spona.back.finance.api_reports import router as reports_router  # noqa: E402

router.add_router("", reports_router)
