"""Invoices, credit notes, vendor bills and refunds: draft, post, credit (QUALITY L7, C4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.back.finance import taxcalc
from spona.back.finance.models import Account, AnalyticAccount, Invoice, InvoiceLine, Journal, PaymentTerm, Tax
from spona.back.finance.services.entries import LIMIT, MAX_DATE, MIN_DATE, LineIn, entry_create
from spona.back.finance.services.payments import reconcile_invoice_with
from spona.core import audit, events
from spona.core.db import service_atomic, unique_row
from spona.core.errors import Conflict, NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import precision, round_amount, to_decimal
from spona.core.permissions import require
from spona.core.selectors import exchange_rate_on

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class InvoiceLineIn:
    """One line as a caller describes it, in the invoice's currency."""

    description: str
    account_id: int
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    discount: Decimal = ZERO
    tax_ids: Sequence[int] = field(default_factory=tuple)
    product_id: int | None = None
    cost_centre_id: int | None = None
    project_id: int | None = None


def _tax_rule(tax: Tax) -> taxcalc.TaxRule:
    return taxcalc.TaxRule(
        key=tax.pk,
        amount=tax.amount,
        kind=tax.kind,
        price_included=tax.price_included,
        affects_base=tax.affects_base,
        sequence=tax.sequence,
    )


def _validate(
    company: Company, kind: str, party_id: int, currency: str, lines: Sequence[InvoiceLineIn], term_id: int | None
) -> dict[int, Tax]:
    errors: dict[str, list[str]] = {}
    if kind not in Invoice.Kind.values:
        errors["kind"] = [f"Unknown kind {kind!r}."]
    if not Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).exists():
        errors["party"] = ["Choose a partner of this company."]
    if len(currency) != 3:
        errors["currency"] = ["Give a three-letter currency code."]
    if term_id is not None and not PaymentTerm.objects.filter(pk=term_id, company=company).exists():
        errors["payment_term"] = ["Unknown payment term."]
    if not lines:
        errors["lines"] = ["An invoice needs at least one line."]
    use = Tax.Use.SALES if kind in ("out_invoice", "out_refund") else Tax.Use.PURCHASE
    taxes = {
        t.pk: t
        for t in Tax.objects.filter(company=company, is_active=True, use=use, pk__in={i for line in lines for i in line.tax_ids})
    }
    accounts = set(
        Account.objects.filter(
            company=company, is_group=False, is_active=True, pk__in={line.account_id for line in lines}
        ).values_list("pk", flat=True)
    )
    analytic = set(
        AnalyticAccount.objects.filter(
            company=company, pk__in={x for line in lines for x in (line.cost_centre_id, line.project_id) if x}
        ).values_list("pk", flat=True)
    )
    for i, line in enumerate(lines):
        problems = []
        if not line.description.strip():
            problems.append("Describe the line.")
        if line.account_id not in accounts:
            problems.append("Choose an account of this company.")
        if to_decimal(line.quantity) <= 0:
            problems.append("The quantity must be positive.")
        if to_decimal(line.unit_price) < 0:
            problems.append("The unit price cannot be negative; use a credit note.")
        if not ZERO <= to_decimal(line.discount) <= HUNDRED:
            problems.append("The discount is a percentage between 0 and 100.")
        if set(line.tax_ids) - set(taxes):
            problems.append(f"Unknown tax for {'sales' if use == 'sales' else 'purchases'}.")
        if {x for x in (line.cost_centre_id, line.project_id) if x} - analytic:
            problems.append("Unknown cost centre or project.")
        if problems:
            errors[f"lines[{i}]"] = problems
    if errors:
        raise ValidationFailed("The invoice is not valid.", field_errors=errors)
    return taxes


def _compute(company: Company, currency: str, lines: Sequence[InvoiceLineIn], taxes: dict[int, Tax]) -> taxcalc.Result:
    return taxcalc.compute(
        [
            taxcalc.LineInput(
                quantity=to_decimal(line.quantity),
                unit_price=to_decimal(line.unit_price),
                discount=to_decimal(line.discount),
                taxes=[_tax_rule(taxes[i]) for i in line.tax_ids],
            )
            for line in lines
        ],
        precision=precision(currency),
        rounding=company.rounding,
        scope=company.tax_rounding,
    )


def _checked(result: taxcalc.Result, invoice_date: dt.date) -> taxcalc.Result:
    """Refuse dates and totals the ledger cannot hold, with a message instead of a database error."""
    if not MIN_DATE <= invoice_date <= MAX_DATE:
        raise ValidationFailed(
            f"Dates run from {MIN_DATE.year} to {MAX_DATE.year}.", field_errors={"invoice_date": ["Out of range."]}
        )
    if abs(result.total) >= LIMIT:
        raise ValidationFailed(
            f"An invoice total must stay below {LIMIT:,}.", field_errors={"lines": ["The total is too large."]}
        )
    return result


def _write_lines(invoice: Invoice, lines: Sequence[InvoiceLineIn], result: taxcalc.Result) -> None:
    rows = InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                sequence=(i + 1) * 10,
                product_id=line.product_id,
                description=line.description.strip()[:300],
                account_id=line.account_id,
                quantity=to_decimal(line.quantity),
                unit_price=to_decimal(line.unit_price),
                discount=to_decimal(line.discount),
                subtotal=computed.subtotal,
                cost_centre_id=line.cost_centre_id,
                project_id=line.project_id,
            )
            for i, (line, computed) in enumerate(zip(lines, result.lines, strict=True))
        ]
    )
    through = InvoiceLine.taxes.through
    through.objects.bulk_create(
        [
            through(invoiceline_id=row.pk, tax_id=tax_id)
            for row, line in zip(rows, lines, strict=True)
            for tax_id in dict.fromkeys(line.tax_ids)
        ]
    )


@service_atomic
def invoice_create(
    *,
    actor: User | None,
    company: Company,
    kind: str,
    party_id: int,
    invoice_date: dt.date,
    lines: Sequence[InvoiceLineIn],
    currency: str = "",
    payment_term_id: int | None = None,
    reference: str = "",
    notes: str = "",
    origin: str = "",
) -> Invoice:
    """Create a draft invoice with its totals computed exactly under the company's rounding policy.

    Sales and purchasing call this (with ``actor=None`` after checking their own permissions)
    to invoice orders. Raises ValidationFailed listing every invalid field.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    currency = (currency or company.base_currency).upper()
    taxes = _validate(company, kind, party_id, currency, lines, payment_term_id)
    result = _checked(_compute(company, currency, lines, taxes), invoice_date)
    invoice = Invoice.objects.create(
        company=company,
        kind=kind,
        party_id=party_id,
        invoice_date=invoice_date,
        currency=currency,
        payment_term_id=payment_term_id,
        reference=reference.strip()[:100],
        notes=notes,
        origin=origin[:80],
        untaxed=result.untaxed,
        tax=result.tax,
        total=result.total,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _write_lines(invoice, lines, result)
    audit.record(actor=actor, target=invoice, action="created", changes={"total": [None, str(result.total)]})
    return invoice


@transaction.atomic
def invoice_update(
    *,
    actor: User,
    company: Company,
    invoice_id: int,
    version: int,
    party_id: int,
    invoice_date: dt.date,
    lines: Sequence[InvoiceLineIn],
    currency: str = "",
    payment_term_id: int | None = None,
    reference: str = "",
    notes: str = "",
) -> Invoice:
    """Replace a draft's header and lines; refuses posted invoices and stale edits (QUALITY C2)."""
    require(actor, "finance.post", company)
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, company=company).first()
    if invoice is None:
        raise NotFound("No such invoice.")
    if not invoice.is_draft():
        raise StateError(f"{invoice} is posted; issue a credit note instead.")
    if invoice.version != version:
        raise Conflict("Someone else changed this invoice since you opened it. Reload it and apply your change again.")
    currency = (currency or company.base_currency).upper()
    taxes = _validate(company, invoice.kind, party_id, currency, lines, payment_term_id)
    result = _checked(_compute(company, currency, lines, taxes), invoice_date)
    before = {"total": str(invoice.total), "party": invoice.party_id}
    invoice.party_id, invoice.invoice_date, invoice.currency = party_id, invoice_date, currency
    invoice.payment_term_id, invoice.reference, invoice.notes = payment_term_id, reference.strip()[:100], notes
    invoice.untaxed, invoice.tax, invoice.total = result.untaxed, result.tax, result.total
    invoice.version += 1
    invoice.save()
    invoice.lines.all().delete()
    _write_lines(invoice, lines, result)
    audit.record(
        actor=actor, target=invoice, action="updated", changes=audit.diff(before, {"total": str(result.total), "party": party_id})
    )
    return invoice


def _instalments(invoice: Invoice, total: Decimal) -> list[tuple[dt.date, Decimal]]:
    """Split the total into due dates by the payment term; the last instalment takes the rounding rest."""
    if invoice.payment_term_id is None:
        return [(invoice.invoice_date, total)]
    terms = list(invoice.payment_term.lines.all())
    if not terms:
        return [(invoice.invoice_date, total)]
    result, rest = [], total
    for i, term in enumerate(terms):
        share = rest if i == len(terms) - 1 else round_amount(total * term.percent / HUNDRED, invoice.currency)
        result.append((invoice.invoice_date + dt.timedelta(days=term.days), share))
        rest -= share
    return result


def _entry_lines(
    invoice: Invoice,
    rows: Sequence[InvoiceLine],
    taxes: dict[int, Tax],
    result: taxcalc.Result,
    rate: Decimal,
    counterpart: Account,
) -> list[LineIn]:
    """Journal lines of an invoice in company currency, balanced exactly after conversion."""
    company = invoice.company
    foreign = invoice.currency != company.base_currency
    # Customer invoices and vendor refunds debit the counterpart (receivable / refund claim).
    sign = 1 if invoice.kind in ("out_invoice", "in_refund") else -1

    def line(account_id: int, amount: Decimal, *, counterpart_side: bool, **extra: object) -> LineIn:
        converted = round_amount(amount * rate, company.base_currency, company.rounding)
        debit_side = (sign > 0) == counterpart_side
        return LineIn(
            account_id=account_id,
            debit=converted if debit_side else ZERO,
            credit=ZERO if debit_side else converted,
            currency=invoice.currency if foreign else "",
            amount_currency=(amount if debit_side else -amount) if foreign else ZERO,
            **extra,  # type: ignore[arg-type]
        )

    lines: list[LineIn] = []
    for due, amount in _instalments(invoice, result.total):
        lines.append(
            line(
                counterpart.pk,
                amount,
                counterpart_side=True,
                party_id=invoice.party_id,
                due_date=due,
                label=invoice.reference or "",
            )
        )
    for row, computed in zip(rows, result.lines, strict=True):
        lines.append(
            line(
                row.account_id,
                computed.subtotal,
                counterpart_side=False,
                party_id=invoice.party_id,
                label=row.description[:200],
                cost_centre_id=row.cost_centre_id,
                project_id=row.project_id,
            )
        )
    for tax_id, total in result.taxes.items():
        if total.amount:
            lines.append(
                line(
                    taxes[tax_id].account_id,
                    total.amount,
                    counterpart_side=False,
                    party_id=invoice.party_id,
                    tax_id=tax_id,
                    tax_base=round_amount(total.base * rate, company.base_currency),
                    label=taxes[tax_id].name,
                )
            )
    return _balance_after_conversion(lines)


def _balance_after_conversion(lines: list[LineIn]) -> list[LineIn]:
    """Put the cent that converting each line separately may lose on the largest non-counterpart line."""
    difference = sum((x.debit - x.credit for x in lines), ZERO)
    if difference == 0:
        return lines
    index = max(range(1, len(lines)), key=lambda i: lines[i].debit + lines[i].credit)
    fix = lines[index]
    if fix.credit:
        lines[index] = LineIn(**{**fix.__dict__, "credit": fix.credit + difference})
    else:
        lines[index] = LineIn(**{**fix.__dict__, "debit": fix.debit - difference})
    return lines


@service_atomic
def invoice_post(*, actor: User | None, company: Company, invoice_id: int) -> Invoice:
    """Post a draft invoice: fix the exchange rate, post its journal entry, take its number.

    Concurrent posts of one invoice post it once (the row lock serialises them; the others get
    StateError, QUALITY C4). Publishes ``finance.invoice_posted``.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    invoice = unique_row(
        Invoice.objects.select_for_update(of=("self",))
        .select_related("company", "payment_term", "party")
        .filter(pk=invoice_id, company=company)
    )
    if invoice is None:
        raise NotFound("No such invoice.")
    if not invoice.can_post():
        raise StateError(f"{invoice} is already {invoice.get_state_display().lower()}.")
    rows = list(invoice.lines.prefetch_related("taxes"))
    line_inputs = [
        InvoiceLineIn(
            description=r.description,
            account_id=r.account_id,
            unit_price=r.unit_price,
            quantity=r.quantity,
            discount=r.discount,
            tax_ids=[t.pk for t in r.taxes.all()],
        )
        for r in rows
    ]
    taxes = {t.pk: t for r in rows for t in r.taxes.all()}
    result = _compute(company, invoice.currency, line_inputs, taxes)
    if result.total <= 0:
        raise ValidationFailed("An invoice with a total of zero cannot be posted.")
    rate = exchange_rate_on(company=company, currency=invoice.currency, on=invoice.invoice_date)
    role = Account.Role.RECEIVABLE if invoice.is_sale() else Account.Role.PAYABLE
    counterpart = Account.objects.filter(company=company, role=role, is_active=True).order_by("code").first()
    journal = (
        Journal.objects.filter(
            company=company, kind=Journal.Kind.SALES if invoice.is_sale() else Journal.Kind.PURCHASE, is_active=True
        )
        .order_by("code")
        .first()
    )
    if counterpart is None or journal is None:
        raise ValidationFailed("Set up the ledger first: a receivable/payable account and a sales/purchase journal are needed.")
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal.pk,
        date=invoice.invoice_date,
        lines=_entry_lines(invoice, rows, taxes, result, rate, counterpart),
        reference=invoice.reference,
        memo=f"{invoice.get_kind_display()} for {invoice.party}",
        party_id=invoice.party_id,
        source=f"finance.invoice:{invoice.pk}",
        post=True,
    )
    instalments = _instalments(invoice, result.total)
    invoice.state = Invoice.State.POSTED
    invoice.number = entry.number
    invoice.entry = entry
    invoice.exchange_rate = rate
    invoice.due_date = instalments[-1][0]
    invoice.untaxed, invoice.tax, invoice.total = result.untaxed, result.tax, result.total
    invoice.version += 1
    invoice.save()
    audit.record(actor=actor, target=invoice, action="posted", changes={"number": [None, invoice.number]})
    events.publish(
        "finance.invoice_posted",
        company=company,
        party=invoice.party,
        actor=actor,
        invoice_id=invoice.pk,
        number=invoice.number,
        kind=invoice.kind,
        total=str(invoice.total),
        currency=invoice.currency,
        due_date=invoice.due_date.isoformat(),
    )
    return invoice


@transaction.atomic
def invoice_credit(*, actor: User | None, company: Company, invoice_id: int, reason: str, post: bool = True) -> Invoice:
    """Correct a posted invoice with a credit note (or a vendor refund) for its full amount.

    Nothing about the original changes; the credit note is linked to it, and once posted it is
    reconciled against the original's open amount.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    original = Invoice.objects.select_for_update().filter(pk=invoice_id, company=company).first()
    if original is None:
        raise NotFound("No such invoice.")
    if not original.is_posted() or original.is_refund():
        raise StateError("Only a posted invoice or bill can be credited.")
    if not reason.strip():
        raise ValidationFailed("Give the reason for the credit note.", field_errors={"reason": ["Required."]})
    kind = Invoice.Kind.CUSTOMER_CREDIT_NOTE if original.is_sale() else Invoice.Kind.VENDOR_REFUND
    lines = [
        InvoiceLineIn(
            description=r.description,
            account_id=r.account_id,
            unit_price=r.unit_price,
            quantity=r.quantity,
            discount=r.discount,
            tax_ids=[t.pk for t in r.taxes.all()],
            product_id=r.product_id,
            cost_centre_id=r.cost_centre_id,
            project_id=r.project_id,
        )
        for r in original.lines.prefetch_related("taxes")
    ]
    credit = invoice_create(
        actor=None,
        company=company,
        kind=kind,
        party_id=original.party_id,
        invoice_date=max(original.invoice_date, timezone.localdate()),
        lines=lines,
        currency=original.currency,
        reference=original.number,
        notes=reason.strip(),
        origin=f"finance.invoice:{original.pk}",
    )
    Invoice.objects.filter(pk=credit.pk).update(reversal_of=original)
    credit.reversal_of = original
    if not post:
        return credit
    credit = invoice_post(actor=None, company=company, invoice_id=credit.pk)
    reconcile_invoice_with(company=company, invoice=original, other_entry=credit.entry)
    return credit


def invoices_publish_overdue(*, on: dt.date | None = None) -> int:
    """Publish ``finance.invoice_overdue`` once for each posted customer invoice past due and not paid.

    Runs daily (a scheduled job); an invoice already announced is not announced again, so a
    rerun after a crash is harmless. Returns how many were announced.
    """
    from spona.back.finance.selectors import invoice_residual
    from spona.core.models import Event

    on = on or timezone.localdate()
    candidates = list(
        Invoice.objects.filter(kind=Invoice.Kind.CUSTOMER_INVOICE, state=Invoice.State.POSTED, due_date__lt=on)
        .select_related("company", "party")
        .order_by("pk")
    )
    announced = set(
        Event.objects.filter(name="finance.invoice_overdue", payload__invoice_id__in=[i.pk for i in candidates]).values_list(
            "payload__invoice_id", flat=True
        )
    )
    count = 0
    for invoice in candidates:
        if invoice.pk in announced or invoice_residual(invoice) <= 0:
            continue
        with transaction.atomic():
            events.publish(
                "finance.invoice_overdue",
                company=invoice.company,
                party=invoice.party,
                invoice_id=invoice.pk,
                number=invoice.number,
                kind=invoice.kind,
                total=str(invoice.total),
                currency=invoice.currency,
                due_date=invoice.due_date.isoformat(),
            )
        count += 1
    return count
