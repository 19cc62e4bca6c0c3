"""Bank statements: import, matching suggestions, one-click reconciliation."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from spona.back.finance import statements
from spona.back.finance.models import Account, BankStatement, BankStatementLine, Invoice, Journal, JournalEntry
from spona.back.finance.selectors.ledger import invoice_residual
from spona.back.finance.services.entries import LineIn, entry_create
from spona.back.finance.services.payments import payment_register
from spona.core import audit
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import precision
from spona.core.permissions import require
from spona.core.validation import search_key

FORMATS = ("csv", "camt053", "ofx")


@transaction.atomic
def statement_import(
    *,
    actor: User | None,
    company: Company,
    journal_id: int,
    data: bytes,
    file_format: str,
    csv_mapping: dict[str, str] | None = None,
    csv_date_format: str = "%Y-%m-%d",
    csv_decimal_separator: str = ".",
    csv_delimiter: str = ",",
) -> BankStatement:
    """Import a bank statement file into a bank journal, all or nothing.

    The same file imported twice into one journal is refused. Amounts are in the company's
    currency with at most its number of decimals.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    journal = Journal.objects.filter(pk=journal_id, company=company, kind=Journal.Kind.BANK, is_active=True).first()
    if journal is None:
        raise ValidationFailed("Choose a bank journal of this company.", field_errors={"journal": ["Unknown bank journal."]})
    if file_format not in FORMATS:
        raise ValidationFailed(f"Unknown format {file_format!r}; use one of {', '.join(FORMATS)}.")
    file_hash = hashlib.sha256(data).hexdigest()
    if BankStatement.objects.filter(journal=journal, file_hash=file_hash).exists():
        raise ValidationFailed("This file was already imported into this journal.", code="duplicate_statement")
    if file_format == "camt053":
        parsed = statements.parse_camt053(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Windows-1250 leaves five bytes undefined; a file holding them is garbled, not a server error.
            text = data.decode("cp1250", errors="replace")
        if file_format == "ofx":
            parsed = statements.parse_ofx(text)
        else:
            parsed = statements.parse_csv(
                text,
                mapping=csv_mapping or {},
                date_format=csv_date_format,
                decimal_separator=csv_decimal_separator,
                delimiter=csv_delimiter,
            )
    places = precision(company.base_currency)
    quantum = Decimal(1).scaleb(-places)
    odd = [str(line.amount) for line in parsed.lines if line.amount != line.amount.quantize(quantum)]
    if odd:
        raise ValidationFailed(f"Amounts with more than {places} decimals: {', '.join(odd[:5])}.")
    statement = BankStatement.objects.create(
        company=company,
        journal=journal,
        name=parsed.name[:100],
        date=parsed.date,
        balance_start=parsed.balance_start,
        balance_end=parsed.balance_end,
        source_format=file_format,
        file_hash=file_hash,
        imported_by=actor if actor is not None and actor.is_authenticated else None,
    )
    BankStatementLine.objects.bulk_create(
        [
            BankStatementLine(
                statement=statement,
                date=x.date,
                amount=x.amount,
                label=x.label,
                reference=x.reference,
                partner_name=x.partner_name,
                account_number=x.account_number,
                transaction_id=x.transaction_id,
            )
            for x in parsed.lines
        ]
    )
    audit.record(actor=actor, target=statement, action="imported", changes={"lines": [None, len(parsed.lines)]})
    return statement


@dataclass(frozen=True)
class Suggestion:
    """An open invoice that a statement line probably pays, with how sure we are."""

    invoice_id: int
    number: str
    party_id: int
    party: str
    residual: Decimal
    score: int  # 100 = reference and amount match; 60 = amount and partner; 40 = amount only
    reason: str


def line_suggestions(*, company: Company, line: BankStatementLine, limit: int = 5) -> list[Suggestion]:
    """Rank open invoices a statement line may settle: by number in the reference, amount and partner name."""
    incoming = line.amount > 0
    kinds = ["out_invoice", "in_refund"] if incoming else ["in_invoice", "out_refund"]
    amount = abs(line.amount)
    text = f"{line.reference} {line.label}".upper()
    candidates = (
        Invoice.objects.filter(company=company, state=Invoice.State.POSTED, kind__in=kinds, currency=company.base_currency)
        .filter(Q(total__gte=amount) | Q(number__in=[w for w in text.replace(",", " ").split() if "/" in w]))
        .select_related("party", "company")
        .order_by("due_date", "pk")[:500]
    )
    partner = search_key(line.partner_name)
    found = []
    for invoice in candidates:
        residual = invoice_residual(invoice)
        if residual <= 0:
            continue
        in_reference = invoice.number.upper() in text
        same_amount = residual == amount
        same_partner = bool(partner) and (partner in search_key(invoice.party.name) or search_key(invoice.party.name) in partner)
        if in_reference and (same_amount or amount < residual):
            score, reason = 100, "invoice number in the reference"
        elif same_amount and same_partner:
            score, reason = 60, "same amount and partner"
        elif same_amount:
            score, reason = 40, "same amount"
        else:
            continue
        found.append(Suggestion(invoice.pk, invoice.number, invoice.party_id, invoice.party.name, residual, score, reason))
    return sorted(found, key=lambda s: (-s.score, s.number))[:limit]


def _lock_open_line(company: Company, line_id: int) -> BankStatementLine:
    line = (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("statement__journal")
        .filter(pk=line_id, statement__company=company)
        .first()
    )
    if line is None:
        raise NotFound("No such statement line.")
    if line.is_reconciled():
        raise StateError("This statement line is already reconciled.")
    return line


@transaction.atomic
def line_reconcile(
    *,
    actor: User | None,
    company: Company,
    line_id: int,
    invoice_ids: Sequence[int] = (),
    account_id: int | None = None,
    party_id: int | None = None,
    entry_id: int | None = None,
) -> BankStatementLine:
    """Reconcile a statement line with what it is in the books. One of:

    - ``entry_id``: a payment already posted in this bank journal for the same amount;
    - ``invoice_ids``: a payment of these invoices is registered now (partial or over-payment as usual);
    - ``account_id``: the amount is booked against that account (bank charges, interest).
    """
    if actor is not None:
        require(actor, "finance.post", company)
    line = _lock_open_line(company, line_id)
    journal = line.statement.journal
    if entry_id is not None:
        line.entry = _matching_entry(company, journal, line, entry_id)
    elif invoice_ids:
        invoices = list(Invoice.objects.filter(company=company, pk__in=invoice_ids).values_list("party_id", flat=True).distinct())
        if len(invoices) != 1:
            raise ValidationFailed("Choose invoices of one partner.")
        payment = payment_register(
            actor=None,
            company=company,
            direction="inbound" if line.amount > 0 else "outbound",
            party_id=invoices[0],
            amount=abs(line.amount),
            journal_id=journal.pk,
            date=line.date,
            invoice_ids=invoice_ids,
            reference=(line.reference or line.label)[:100],
        )
        line.entry = payment.entry
    elif account_id is not None:
        account = Account.objects.filter(pk=account_id, company=company, is_group=False, is_active=True).first()
        if account is None:
            raise ValidationFailed("Choose an account of this company.", field_errors={"account_id": ["Unknown account."]})
        if party_id is not None and not Party.objects.filter(pk=party_id, company=company).exists():
            raise NotFound("No such partner.")
        amount = abs(line.amount)
        incoming = line.amount > 0
        line.entry = entry_create(
            actor=None,
            company=company,
            journal_id=journal.pk,
            date=line.date,
            party_id=party_id,
            reference=(line.reference or "")[:100],
            memo=(line.label or "Bank statement line")[:300],
            source="finance.bank_line",
            lines=[
                LineIn(
                    account_id=journal.default_account_id,
                    debit=amount if incoming else Decimal(0),
                    credit=Decimal(0) if incoming else amount,
                    label=line.label[:200],
                ),
                LineIn(
                    account_id=account.pk,
                    party_id=party_id,
                    debit=Decimal(0) if incoming else amount,
                    credit=amount if incoming else Decimal(0),
                    label=line.label[:200],
                ),
            ],
            post=True,
        )
    else:
        raise ValidationFailed("Choose the invoices this line pays, or the account to book it to.")
    line.save(update_fields=["entry"])
    audit.record(
        actor=actor,
        target=line.statement,
        action="line_reconciled",
        changes={"line": [None, line.pk], "entry": [None, line.entry.number]},
    )
    return line


def _matching_entry(company: Company, journal: Journal, line: BankStatementLine, entry_id: int) -> JournalEntry:
    entry = JournalEntry.objects.filter(pk=entry_id, company=company, journal=journal, state=JournalEntry.State.POSTED).first()
    if entry is None:
        raise NotFound("No such posted entry in this bank journal.")
    if BankStatementLine.objects.filter(entry=entry).exists():
        raise StateError(f"Entry {entry.number} is already matched to a statement line.")
    bank = entry.lines.filter(account_id=journal.default_account_id).aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
    if (bank["d"] or 0) - (bank["c"] or 0) != line.amount:
        raise ValidationFailed(f"Entry {entry.number} moves a different amount through the bank account.")
    return entry


def unmatched_bank_entries(*, company: Company, line: BankStatementLine, limit: int = 5) -> list[JournalEntry]:
    """Posted entries of the line's bank journal, for the same amount, not yet matched to a statement line."""
    journal = line.statement.journal
    field = "debit" if line.amount > 0 else "credit"
    return list(
        JournalEntry.objects.filter(company=company, journal=journal, state=JournalEntry.State.POSTED)
        .filter(**{"lines__account_id": journal.default_account_id, f"lines__{field}": abs(line.amount)})
        .exclude(pk__in=BankStatementLine.objects.filter(entry__isnull=False).values("entry_id"))
        .order_by("date", "pk")[:limit]
    )


@transaction.atomic
def statement_auto_reconcile(*, actor: User | None, company: Company, statement_id: int) -> int:
    """Reconcile every open line of a statement that has exactly one sure match; return how many.

    Sure means: exactly one posted payment of the same amount waiting in the journal, or else
    exactly one open invoice whose number is in the line's reference.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    statement = BankStatement.objects.filter(pk=statement_id, company=company).first()
    if statement is None:
        raise NotFound("No such statement.")
    done = 0
    for line in statement.lines.filter(entry__isnull=True).order_by("date", "pk"):
        waiting = unmatched_bank_entries(company=company, line=line, limit=2)
        if len(waiting) == 1:
            line_reconcile(actor=None, company=company, line_id=line.pk, entry_id=waiting[0].pk)
            done += 1
            continue
        sure = [s for s in line_suggestions(company=company, line=line) if s.score == 100]
        if len(sure) == 1:
            line_reconcile(actor=None, company=company, line_id=line.pk, invoice_ids=[sure[0].invoice_id])
            done += 1
    return done
