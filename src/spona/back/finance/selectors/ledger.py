"""Reads of the ledger: balances, trial balance, the chain check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from spona.back.finance import chain
from spona.back.finance.models import Account, Journal, JournalEntry, JournalLine
from spona.core.aggregates import ExactSum
from spona.core.models import Company, User
from spona.core.money import precision
from spona.core.permissions import require

ZERO = Decimal(0)


def entry_list(*, user: User, company: Company, journal_id: int | None = None, state: str = "") -> QuerySet[JournalEntry]:
    """Entries of the company, newest first."""
    require(user, "finance.view_ledger", company)
    qs = JournalEntry.objects.filter(company=company).select_related("journal", "party")
    if journal_id:
        qs = qs.filter(journal_id=journal_id)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-date", "-id")


@dataclass(frozen=True)
class TrialBalanceRow:
    account_id: int
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(
    *, user: User | None, company: Company, date_to: dt.date | None = None, date_from: dt.date | None = None
) -> list[TrialBalanceRow]:
    """Debit and credit totals per account over posted lines, in one aggregate query."""
    if user is not None:
        require(user, "finance.view_ledger", company)
    condition = Q(lines__company=company, lines__entry__state=JournalEntry.State.POSTED)
    if date_to:
        condition &= Q(lines__date__lte=date_to)
    if date_from:
        condition &= Q(lines__date__gte=date_from)
    rows = (
        Account.objects.filter(company=company)
        .annotate(
            total_debit=ExactSum("lines__debit", filter=condition), total_credit=ExactSum("lines__credit", filter=condition)
        )
        .filter(Q(total_debit__isnull=False) | Q(total_credit__isnull=False))
        .order_by("code")
        .values_list("pk", "code", "name", "type", "total_debit", "total_credit")
    )
    return [
        TrialBalanceRow(pk, code, name, type_, debit or ZERO, credit or ZERO) for pk, code, name, type_, debit, credit in rows
    ]


def account_balance(*, company: Company, account_id: int, party_id: int | None = None, date_to: dt.date | None = None) -> Decimal:
    """Posted balance (debit − credit) of one account, optionally for one party."""
    qs = JournalLine.objects.filter(company=company, account_id=account_id, entry__state=JournalEntry.State.POSTED)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    totals = qs.aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
    return (totals["d"] or ZERO) - (totals["c"] or ZERO)


@dataclass(frozen=True)
class ChainBreak:
    journal: str
    position: int
    number: str
    reason: str


def ledger_verify(*, company: Company, journal_code: str = "") -> list[ChainBreak]:
    """Recompute every journal's hash chain; return the first break of each journal (empty when intact).

    Detects changed amounts, accounts, dates and numbers, removed or inserted entries, and a
    removed tail (the journal's stored last hash no longer matches).
    """
    places = precision(company.base_currency)
    breaks: list[ChainBreak] = []
    journals = Journal.objects.filter(company=company).order_by("code")
    if journal_code:
        journals = journals.filter(code=journal_code)
    for journal in journals:
        previous = chain.GENESIS
        expected_position = 1
        entries = (
            JournalEntry.objects.filter(journal=journal, state=JournalEntry.State.POSTED)
            .order_by("chain_position")
            .prefetch_related("lines")
        )
        found = None
        for entry in entries.iterator(chunk_size=500):
            if entry.chain_position != expected_position:
                found = ChainBreak(journal.code, expected_position, entry.number, "an entry is missing or was inserted")
                break
            if entry.previous_hash != previous or chain.entry_hash(previous, entry, entry.lines.all(), places) != entry.hash:
                found = ChainBreak(journal.code, expected_position, entry.number, "the entry differs from what was posted")
                break
            previous = entry.hash
            expected_position += 1
        if found is None and (journal.chain_length != expected_position - 1 or (journal.last_hash or chain.GENESIS) != previous):
            found = ChainBreak(journal.code, expected_position, "", "posted entries at the end of the journal are missing")
        if found is not None:
            breaks.append(found)
    return breaks


def line_open_amounts(line_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Open amount of each line: (company currency, foreign currency), both as positive numbers."""
    from spona.back.finance.models import Reconciliation

    matched: dict[int, list[Decimal]] = {pk: [ZERO, ZERO] for pk in line_ids}
    for side in ("debit_line", "credit_line"):
        rows = (
            Reconciliation.objects.filter(**{f"{side}__in": line_ids})
            .values(side)
            .annotate(amount=ExactSum("amount"), amount_currency=ExactSum("amount_currency"))
            .values_list(side, "amount", "amount_currency")
        )
        for pk, amount, amount_currency in rows:
            matched[pk][0] += amount or ZERO
            matched[pk][1] += amount_currency or ZERO
    result = {}
    for pk, debit, credit, amount_currency in JournalLine.objects.filter(pk__in=line_ids).values_list(
        "pk", "debit", "credit", "amount_currency"
    ):
        result[pk] = (abs(debit - credit) - matched[pk][0], abs(amount_currency) - matched[pk][1])
    return result


def invoice_residual(invoice: Any) -> Decimal:
    """What is still to be paid on a posted invoice, in the invoice's currency."""
    if invoice.entry_id is None:
        return invoice.total
    ids = list(
        JournalLine.objects.filter(entry_id=invoice.entry_id, account__reconcilable=True, party_id=invoice.party_id).values_list(
            "pk", flat=True
        )
    )
    opens = line_open_amounts(ids)
    foreign = invoice.currency != invoice.company.base_currency
    return sum((amounts[1] if foreign else amounts[0] for amounts in opens.values()), ZERO)


def invoice_payment_state(invoice: Any) -> str:
    """'not_paid', 'partial' or 'paid' for a posted invoice; '' for drafts and cancelled ones."""
    if not invoice.is_posted():
        return ""
    residual = invoice_residual(invoice)
    if residual == 0:
        return "paid"
    return "partial" if residual < invoice.total else "not_paid"
