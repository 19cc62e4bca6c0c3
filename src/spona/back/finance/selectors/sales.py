"""What the sales app reads from finance: document totals, a customer's balance, invoices' payment state.

Sales may import ``finance.selectors`` only (tests/test_architecture.py); these functions give
it finance's own rules (the tax computation of ``taxcalc``, the open amounts of
``selectors_ui``) without a second copy of them. The callers check their own permissions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from spona.back.finance import taxcalc
from spona.back.finance.models import Account, Invoice, JournalEntry, JournalLine, Tax
from spona.core.aggregates import ExactSum
from spona.core.models import Company
from spona.core.money import precision, to_decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class TotalsLine:
    """A document line as sales holds it."""

    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_ids: Sequence[int]


# The company's sales taxes as ``sales_taxes`` returns them, for callers that read them once.
SalesTaxes = list[Tax]


def sales_taxes(*, company: Company) -> SalesTaxes:
    """The company's active sales taxes, for choosing on quotation and order lines."""
    return list(Tax.objects.filter(company=company, use=Tax.Use.SALES, is_active=True))


def document_totals(*, company: Company, currency: str, lines: Sequence[TotalsLine], taxes: Iterable[Tax]) -> taxcalc.Result:
    """Compute line subtotals and totals exactly as posting an invoice with these lines would (QUALITY L7).

    ``taxes`` are the sales taxes the lines name (from ``sales_taxes``), so a caller computing
    many documents reads them once.
    """
    by_id = {t.pk: t for t in taxes}
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
                    for t in (by_id[i] for i in dict.fromkeys(line.tax_ids) if i in by_id)
                ],
            )
            for line in lines
        ],
        precision=precision(currency or company.base_currency),
        rounding=company.rounding,
        scope=company.tax_rounding,
    )


def income_account(*, company: Company) -> Account | None:
    """The company's first income account for sales of goods (lowest code), when sales has none set."""
    return (
        Account.objects.filter(company=company, type=Account.Type.INCOME, role="", is_group=False, is_active=True)
        .order_by("code")
        .first()
    )


@dataclass(frozen=True)
class CustomerExposure:
    """A customer's open receivable and what of it is overdue, in company currency."""

    receivable: Decimal
    overdue: Decimal


def customer_exposure(*, company: Company, party_id: int, on: dt.date) -> CustomerExposure:
    """Open receivable and overdue open amount of a customer, by the rules of ``selectors_ui.customer_balance``.

    Without the user: an order confirmed from a customer's share link has none, and the
    credit check must still run.
    """
    from spona.back.finance.selectors_ui import with_payment_state

    totals = JournalLine.objects.filter(
        company=company, party_id=party_id, account__role=Account.Role.RECEIVABLE, entry__state=JournalEntry.State.POSTED
    ).aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
    overdue = (
        with_payment_state(
            Invoice.objects.filter(
                company=company,
                party_id=party_id,
                kind=Invoice.Kind.CUSTOMER_INVOICE,
                state=Invoice.State.POSTED,
                currency=company.base_currency,
                due_date__lt=on,
            )
        )
        .filter(open_units__gt=0)
        .values_list("open_units", flat=True)
    )
    return CustomerExposure(receivable=(totals["d"] or ZERO) - (totals["c"] or ZERO), overdue=Decimal(sum(overdue)).scaleb(-4))


@dataclass(frozen=True)
class InvoiceState:
    """An invoice as a sales order shows it: number, state, totals and how much is paid."""

    invoice_id: int
    number: str
    kind: str
    state: str
    total: Decimal
    residual: Decimal
    payment_state: str
    invoice_date: dt.date


def invoice_states(*, company: Company, invoice_ids: Iterable[int]) -> dict[int, InvoiceState]:
    """The state and open amount of each invoice, in one query."""
    from spona.back.finance.selectors_ui import residual_of, with_payment_state

    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = with_payment_state(Invoice.objects.filter(company=company, pk__in=ids).select_related("company"))
    return {
        i.pk: InvoiceState(i.pk, i.number, i.kind, i.state, i.total, residual_of(i), i.payment_state, i.invoice_date)
        for i in rows
    }


def lifetime_value(*, company: Company, party_id: int) -> Decimal:
    """Posted customer invoices less posted credit notes of a customer (untaxed, company currency)."""
    totals = Invoice.objects.filter(company=company, party_id=party_id, state=Invoice.State.POSTED).aggregate(
        invoiced=ExactSum("untaxed", filter=Q(kind=Invoice.Kind.CUSTOMER_INVOICE)),
        credited=ExactSum("untaxed", filter=Q(kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE)),
    )
    return (totals["invoiced"] or ZERO) - (totals["credited"] or ZERO)


def payment_term_ids(*, company: Company, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` that are active payment terms of the company."""
    from spona.back.finance.models import PaymentTerm

    return set(PaymentTerm.objects.filter(company=company, pk__in=set(ids), is_active=True).values_list("pk", flat=True))


def payment_terms(*, company: Company) -> list[tuple[int, str]]:
    """The company's active payment terms as (id, name), by name: the choices for a customer's terms."""
    from spona.back.finance.models import PaymentTerm

    return list(PaymentTerm.objects.filter(company=company, is_active=True).order_by("name", "pk").values_list("pk", "name"))
