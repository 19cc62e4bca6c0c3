"""Reads the finance screens and the API need beyond ``selectors``: pages of documents, trees, previews.

Every function is scoped to one company and checks the reader's permission first. Lists are
keyset-paginated (``Page`` with ``next_cursor``) so that deep pages stay as fast as the first.
Open amounts are computed in the database in whole ten-thousandths (the ledger's precision),
so that filters such as "partially paid" are exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Coalesce, Round
from django.utils import timezone

from spona.back.finance import selectors, taxcalc
from spona.back.finance.models import (
    Account,
    BankStatement,
    BankStatementLine,
    FiscalYear,
    Invoice,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    LedgerSettings,
    Payment,
    PaymentTerm,
    Reconciliation,
    Tax,
)
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import precision, to_decimal
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor

ZERO = Decimal(0)
PLACES = 4  # the ledger's amounts have four decimals (MONEY in the models)
SALE_KINDS = (Invoice.Kind.CUSTOMER_INVOICE, Invoice.Kind.CUSTOMER_CREDIT_NOTE)
PURCHASE_KINDS = (Invoice.Kind.VENDOR_BILL, Invoice.Kind.VENDOR_REFUND)
PAYMENT_STATES = ("not_paid", "partial", "paid")
MAX_LIMIT = 200


def _units(expression: Any) -> Any:
    """An amount as a whole number of ten-thousandths: sums of these are exact on every engine."""
    scaled = ExpressionWrapper(expression * Value(10**PLACES), output_field=DecimalField(max_digits=30, decimal_places=PLACES))
    return Cast(Round(scaled), BigIntegerField())


def _unscale(units: int | None) -> Decimal:
    return Decimal(units or 0).scaleb(-PLACES)


def _sum_units(queryset: QuerySet[Any], expression: Any) -> Any:
    """A correlated subquery summing ``expression`` (in units) over ``queryset``; 0 when empty."""
    # SUM as a plain function, not an aggregate: Django adds no GROUP BY and the subquery yields one row.
    total = queryset.order_by().annotate(total=Func(_units(expression), function="SUM", output_field=BigIntegerField()))
    return Coalesce(Subquery(total.values("total")[:1]), Value(0), output_field=BigIntegerField())


def with_payment_state(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate invoices with ``open_units`` (what is left to pay, in the invoice's currency) and ``payment_state``.

    The same rule as ``selectors.invoice_residual``: the invoice's receivable or payable lines less
    what is matched against them; foreign-currency invoices count in their currency.
    """
    counter = JournalLine.objects.filter(entry_id=OuterRef("entry_id"), party_id=OuterRef("party_id"), account__reconcilable=True)
    matched = Reconciliation.objects.filter(
        Q(debit_line__entry_id=OuterRef("entry_id"), debit_line__party_id=OuterRef("party_id"))
        & Q(debit_line__account__reconcilable=True)
        | Q(credit_line__entry_id=OuterRef("entry_id"), credit_line__party_id=OuterRef("party_id"))
        & Q(credit_line__account__reconcilable=True)
    )
    foreign = ~Q(currency=F("company__base_currency"))
    return queryset.annotate(
        gross_cc=_sum_units(counter, F("debit") + F("credit")),
        matched_cc=_sum_units(matched, F("amount")),
        gross_fc=_sum_units(counter, Abs(F("amount_currency"))),
        matched_fc=_sum_units(matched, F("amount_currency")),
    ).annotate(
        open_units=Case(
            When(state=Invoice.State.DRAFT, then=_units(F("total"))),
            When(foreign, then=F("gross_fc") - F("matched_fc")),
            default=F("gross_cc") - F("matched_cc"),
            output_field=BigIntegerField(),
        ),
        gross_units=Case(When(foreign, then=F("gross_fc")), default=F("gross_cc"), output_field=BigIntegerField()),
        payment_state=Case(
            When(~Q(state=Invoice.State.POSTED), then=Value("")),
            When(open_units=0, then=Value("paid")),
            When(open_units__gte=F("gross_units"), then=Value("not_paid")),
            default=Value("partial"),
            output_field=CharField(),
        ),
    )


def residual_of(invoice: Invoice) -> Decimal:
    """The open amount of an invoice annotated by ``with_payment_state``, in its currency."""
    return _unscale(getattr(invoice, "open_units", 0))


@dataclass(frozen=True)
class InvoiceFilters:
    """What an invoice list can be narrowed to; empty values do not filter."""

    kind: str = ""
    state: str = ""
    payment_state: str = ""
    party_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""


def _check_range(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("The start date is after the end date.", field_errors={"date_from": ["After the end date."]})


def invoice_queryset(*, user: User, company: Company, side: str, filters: InvoiceFilters | None = None) -> QuerySet[Invoice]:
    """Invoices of one side (``sale``: invoices and credit notes; ``purchase``: bills and refunds; else both), filtered.

    Rows carry ``open_units`` and ``payment_state`` (see ``with_payment_state``), the partner and the entry.
    """
    require(user, "finance.view_ledger", company)
    f = filters or InvoiceFilters()
    _check_range(f.date_from, f.date_to)
    kinds = {"sale": SALE_KINDS, "purchase": PURCHASE_KINDS}.get(side, SALE_KINDS + PURCHASE_KINDS)
    qs = Invoice.objects.filter(company=company, kind__in=[f.kind] if f.kind in kinds else kinds)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.party_id:
        qs = qs.filter(party_id=f.party_id)
    if f.date_from:
        qs = qs.filter(invoice_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(invoice_date__lte=f.date_to)
    if f.q.strip():
        term = f.q.strip()
        qs = qs.filter(Q(number__icontains=term) | Q(party__name__icontains=term) | Q(reference__icontains=term))
    qs = with_payment_state(qs.select_related("party", "company"))
    if f.payment_state in PAYMENT_STATES:
        qs = qs.filter(payment_state=f.payment_state)
    return qs


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def _newest_first_page(qs: QuerySet[Any], date_field: str, cursor: str | None, limit: int) -> Page:
    """Cut a page out of ``qs`` ordered newest first by (``date_field``, id)."""
    if cursor:
        value, pk = decode_cursor(cursor)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page.", field_errors={"cursor": ["Invalid."]}
            )
        qs = qs.filter(Q(**{f"{date_field}__lt": day}) | Q(**{date_field: day, "pk__lt": pk}))
    limit = _limit(limit)
    rows = list(qs.order_by(f"-{date_field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([getattr(rows[-1], date_field).isoformat(), rows[-1].pk]) if more else None
    return Page(items=rows, next_cursor=next_cursor)


def invoice_page(
    *, user: User, company: Company, side: str, filters: InvoiceFilters | None = None, cursor: str | None = None, limit: int = 25
) -> Page:
    """One page of invoices, newest first, in a fixed number of queries however long the page."""
    return _newest_first_page(
        invoice_queryset(user=user, company=company, side=side, filters=filters), "invoice_date", cursor, limit
    )


def invoice_export_rows(*, user: User, company: Company, side: str, filters: InvoiceFilters | None = None) -> Any:
    """Every invoice of the filtered list, newest first, read in chunks (for a streamed export)."""
    qs = invoice_queryset(user=user, company=company, side=side, filters=filters)
    return qs.order_by("-invoice_date", "-pk").iterator(chunk_size=1000)


def invoice_get(*, user: User, company: Company, invoice_id: int) -> Invoice:
    """Return one invoice with its lines and taxes, partner, entry, credit notes and open amount."""
    require(user, "finance.view_ledger", company)
    invoice = (
        with_payment_state(Invoice.objects.filter(company=company, pk=invoice_id))
        .select_related("party", "company", "entry__journal", "reversal_of", "payment_term")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.select_related("account").prefetch_related("taxes")),
            "credit_notes",
        )
        .first()
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


@dataclass(frozen=True)
class Settlement:
    """Something that paid (part of) an invoice: a payment, a credit note, or another entry."""

    entry: JournalEntry
    amount: Decimal
    payment: Payment | None
    credit_note: Invoice | None


def invoice_settlements(*, user: User, company: Company, invoice: Invoice) -> list[Settlement]:
    """What was matched against an invoice's open lines, oldest first, amounts in company currency."""
    require(user, "finance.view_ledger", company)
    if invoice.entry_id is None:
        return []
    own = set(
        JournalLine.objects.filter(entry_id=invoice.entry_id, party_id=invoice.party_id, account__reconcilable=True).values_list(
            "pk", flat=True
        )
    )
    matches = Reconciliation.objects.filter(company=company).filter(Q(debit_line_id__in=own) | Q(credit_line_id__in=own))
    totals: dict[int, Decimal] = {}
    for debit_line, debit_entry, credit_entry, amount in matches.values_list(
        "debit_line_id", "debit_line__entry_id", "credit_line__entry_id", "amount"
    ):
        other = credit_entry if debit_line in own else debit_entry
        totals[other] = totals.get(other, ZERO) + amount
    entries = JournalEntry.objects.filter(company=company, pk__in=totals).select_related("journal").order_by("date", "pk")
    payments = {p.entry_id: p for p in Payment.objects.filter(company=company, entry_id__in=totals)}
    credits = {c.entry_id: c for c in Invoice.objects.filter(company=company, entry_id__in=totals)}
    return [Settlement(e, totals[e.pk], payments.get(e.pk), credits.get(e.pk)) for e in entries]


def invoice_payment_journals(*, user: User, company: Company) -> list[Journal]:
    """Bank and cash journals that can take a payment (they need a default account)."""
    require(user, "finance.view_ledger", company)
    return list(
        Journal.objects.filter(
            company=company, kind__in=[Journal.Kind.BANK, Journal.Kind.CASH], is_active=True, default_account__isnull=False
        ).order_by("code")
    )


def journal_list(*, user: User, company: Company) -> list[Journal]:
    """The company's journals by code."""
    require(user, "finance.view_ledger", company)
    return list(Journal.objects.filter(company=company).select_related("default_account").order_by("code"))


def account_list(*, user: User, company: Company, postable: bool = False) -> list[Account]:
    """The chart of accounts by code; ``postable`` keeps only active accounts that take postings."""
    require(user, "finance.view_ledger", company)
    qs = Account.objects.filter(company=company).order_by("code")
    if postable:
        qs = qs.filter(is_active=True, is_group=False)
    return list(qs)


def account_tree(*, user: User, company: Company) -> list[tuple[Account, int]]:
    """The chart as a tree in reading order: each account with its depth (0 for the top level)."""
    accounts = account_list(user=user, company=company)
    children: dict[int | None, list[Account]] = {}
    for account in accounts:
        children.setdefault(account.parent_id, []).append(account)
    known = {a.pk for a in accounts}
    rows: list[tuple[Account, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for account in children.get(parent, []):
            rows.append((account, depth))
            walk(account.pk, depth + 1)

    walk(None, 0)
    # An account whose parent is missing (never, through the services) still shows, at the top.
    for account in accounts:
        if account.parent_id is not None and account.parent_id not in known:
            rows.append((account, 0))
    return rows


def account_get(*, user: User, company: Company, account_id: int) -> Account:
    """Return one account of the company."""
    require(user, "finance.view_ledger", company)
    account = Account.objects.filter(company=company, pk=account_id).first()
    if account is None:
        raise NotFound("No such account.")
    return account


def account_lines(
    *,
    user: User,
    company: Company,
    account_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Posted lines of one account in a date range, newest first (the trial balance's drill-down)."""
    account = account_get(user=user, company=company, account_id=account_id)
    _check_range(date_from, date_to)
    qs = JournalLine.objects.filter(company=company, account=account, entry__state=JournalEntry.State.POSTED).select_related(
        "entry", "party"
    )
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return _newest_first_page(qs, "date", cursor, limit)


def payment_term_list(*, user: User, company: Company) -> list[PaymentTerm]:
    """Active payment terms of the company, by name."""
    require(user, "finance.view_ledger", company)
    return list(PaymentTerm.objects.filter(company=company, is_active=True).order_by("name"))


def tax_list(*, user: User, company: Company, use: str = "") -> list[Tax]:
    """Active taxes of the company, for sales or purchases."""
    require(user, "finance.view_ledger", company)
    qs = Tax.objects.filter(company=company, is_active=True).order_by("sequence", "name", "pk")
    if use:
        qs = qs.filter(use=use)
    return list(qs)


def entry_page(
    *,
    user: User,
    company: Company,
    journal_id: int | None = None,
    state: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Page:
    """One page of entries, newest first, filtered by journal, state and date range."""
    _check_range(date_from, date_to)
    qs = selectors.entry_list(user=user, company=company, journal_id=journal_id, state=state)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return _newest_first_page(qs.annotate(total=ExactSum("lines__debit")), "date", cursor, limit)


def entry_get(*, user: User, company: Company, entry_id: int) -> JournalEntry:
    """Return one entry with its lines, journal, reversal links and the document that produced it."""
    require(user, "finance.view_ledger", company)
    entry = (
        JournalEntry.objects.filter(company=company, pk=entry_id)
        .select_related("journal", "party", "reversal_of", "posted_by")
        .prefetch_related(Prefetch("lines", queryset=JournalLine.objects.select_related("account", "party", "tax")))
        .first()
    )
    if entry is None:
        raise NotFound("No such entry.")
    return entry


def entry_links(*, entry: JournalEntry) -> dict[str, Any]:
    """The records around an entry: its reversal, and the invoice or payment it belongs to."""
    return {
        "reversed_by": JournalEntry.objects.filter(reversal_of=entry).first(),
        "invoice": Invoice.objects.filter(entry=entry).first(),
        "payment": Payment.objects.filter(entry=entry).first(),
    }


def payment_page(
    *,
    user: User,
    company: Company,
    direction: str = "",
    party_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Page:
    """One page of payments, newest first."""
    require(user, "finance.view_ledger", company)
    _check_range(date_from, date_to)
    qs = Payment.objects.filter(company=company).select_related("party", "journal", "entry")
    if direction:
        qs = qs.filter(direction=direction)
    if party_id:
        qs = qs.filter(party_id=party_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return _newest_first_page(qs, "date", cursor, limit)


def payment_get(*, user: User, company: Company, payment_id: int) -> Payment:
    """Return one payment of the company with its partner, journal and entry."""
    require(user, "finance.view_ledger", company)
    payment = Payment.objects.filter(company=company, pk=payment_id).select_related("party", "journal", "entry").first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


def ledger_is_set_up(*, user: User, company: Company) -> bool:
    """Tell whether the company has a chart of accounts yet."""
    require(user, "finance.view_ledger", company)
    return Account.objects.filter(company=company).exists()


def ledger_settings(*, user: User, company: Company) -> LedgerSettings:
    """The company's lock dates (unsaved defaults when none were set)."""
    require(user, "finance.view_ledger", company)
    return LedgerSettings.objects.filter(company=company).first() or LedgerSettings(company=company)


def partner_choices(*, user: User, company: Company, ids: Sequence[int]) -> list[Party]:
    """The parties behind picker values, so that a re-displayed form shows their names."""
    require(user, "finance.view_ledger", company)
    wanted = [i for i in ids if i]
    return list(Party.objects.filter(company=company, pk__in=wanted)) if wanted else []


@dataclass(frozen=True)
class PreviewLine:
    """A line as typed in a form, before it is saved."""

    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_ids: Sequence[int]


def invoice_preview(*, user: User, company: Company, side: str, currency: str, lines: Sequence[PreviewLine]) -> taxcalc.Result:
    """Compute a draft's totals as posting would, with the company's rounding policy (for live totals).

    Taxes are looked up in the company and for the document's side; unknown ids are ignored here
    (saving reports them).
    """
    require(user, "finance.view_ledger", company)
    use = Tax.Use.SALES if side == "sale" else Tax.Use.PURCHASE
    wanted = {i for line in lines for i in line.tax_ids}
    taxes = {t.pk: t for t in Tax.objects.filter(company=company, use=use, is_active=True, pk__in=wanted)} if wanted else {}
    places = precision((currency or company.base_currency).upper())
    return taxcalc.compute(
        [
            taxcalc.LineInput(
                quantity=to_decimal(line.quantity),
                unit_price=to_decimal(line.unit_price),
                discount=to_decimal(line.discount),
                taxes=[
                    taxcalc.TaxRule(
                        key=t.pk,
                        amount=t.amount,
                        kind=t.kind,
                        price_included=t.price_included,
                        affects_base=t.affects_base,
                        sequence=t.sequence,
                    )
                    for t in (taxes[i] for i in dict.fromkeys(line.tax_ids) if i in taxes)
                ],
            )
            for line in lines
        ],
        precision=places,
        rounding=company.rounding,
        scope=company.tax_rounding,
    )


@dataclass(frozen=True)
class CustomerBalance:
    """What a salesperson may know about a customer's account: the open amount and what is overdue."""

    receivable: Decimal
    currency: str
    overdue: list[Invoice]
    overdue_total: Decimal


def customer_balance(*, user: User, company: Company, party_id: int, limit: int = 10) -> CustomerBalance:
    """Open receivable (company currency) and overdue customer invoices (due date passed, still open) of a partner."""
    require(user, "finance.view_customer_balance", company)
    totals = JournalLine.objects.filter(
        company=company,
        party_id=party_id,
        account__role=Account.Role.RECEIVABLE,
        entry__state=JournalEntry.State.POSTED,
    ).aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
    overdue_qs = with_payment_state(
        Invoice.objects.filter(
            company=company,
            party_id=party_id,
            kind=Invoice.Kind.CUSTOMER_INVOICE,
            state=Invoice.State.POSTED,
            due_date__lt=timezone.localdate(),
        ).select_related("company")
    ).filter(open_units__gt=0)
    overdue = list(overdue_qs.order_by("due_date", "pk")[:limit])
    overdue_total = _unscale(sum(i.open_units for i in overdue if i.currency == company.base_currency))
    return CustomerBalance(
        receivable=(totals["d"] or ZERO) - (totals["c"] or ZERO),
        currency=company.base_currency,
        overdue=overdue,
        overdue_total=overdue_total,
    )


# Bank statements and fiscal years ----------------------------------------------------------------


def statement_list(*, user: User, company: Company) -> list[BankStatement]:
    """Return the company's bank statements, newest first, with their line and open line counts."""
    require(user, "finance.view_ledger", company)
    return list(
        BankStatement.objects.filter(company=company)
        .select_related("journal")
        .annotate(line_count=Count("lines"), open_count=Count("lines", filter=Q(lines__entry__isnull=True)))
        .order_by("-date", "-pk")
    )


def statement_get(*, user: User, company: Company, statement_id: int) -> BankStatement:
    """Return one statement of the company with its journal; NotFound otherwise."""
    require(user, "finance.view_ledger", company)
    statement = BankStatement.objects.filter(company=company, pk=statement_id).select_related("journal").first()
    if statement is None:
        raise NotFound("No such bank statement.")
    return statement


def statement_lines(*, user: User, company: Company, statement: BankStatement) -> list[BankStatementLine]:
    """Return a statement's lines in date order, each with the entry it is reconciled with."""
    require(user, "finance.view_ledger", company)
    return list(statement.lines.select_related("entry").order_by("date", "pk"))


def bank_line_get(*, user: User, company: Company, line_id: int) -> BankStatementLine:
    """Return one statement line of the company; NotFound otherwise."""
    require(user, "finance.view_ledger", company)
    line = BankStatementLine.objects.filter(statement__company=company, pk=line_id).select_related("statement__journal").first()
    if line is None:
        raise NotFound("No such statement line.")
    return line


def fiscal_year_list(*, user: User, company: Company) -> list[FiscalYear]:
    """Return the company's fiscal years, latest first."""
    require(user, "finance.view_ledger", company)
    return list(FiscalYear.objects.filter(company=company).order_by("-start"))


def fiscal_year_get(*, user: User, company: Company, year_id: int) -> FiscalYear:
    """Return one fiscal year of the company; NotFound otherwise."""
    require(user, "finance.view_ledger", company)
    year = FiscalYear.objects.filter(company=company, pk=year_id).first()
    if year is None:
        raise NotFound("No such fiscal year.")
    return year


def invoice_instalments(*, user: User, company: Company, invoice: Invoice) -> list[tuple[dt.date, Decimal]]:
    """Return a posted invoice's due dates with the amount due on each (document currency); the due date alone for a draft."""
    require(user, "finance.view_ledger", company)
    return instalments_of(invoice)


def instalments_of(invoice: Invoice) -> list[tuple[dt.date, Decimal]]:
    """A posted invoice's due dates with the amount due on each; the caller has checked who may see it."""
    if invoice.entry_id is None:
        return [(invoice.due_date or invoice.invoice_date, invoice.total)]
    lines = JournalLine.objects.filter(
        entry_id=invoice.entry_id, account__role__in=[Account.Role.RECEIVABLE, Account.Role.PAYABLE]
    ).order_by("due_date", "pk")
    return [(line.due_date or invoice.invoice_date, abs(line.amount_currency or (line.debit - line.credit))) for line in lines]
