"""Reads of the ledger: entries, balances, trial balance, open amounts, the chain check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from spona.back.finance import chain
from spona.back.finance.models import Account, AccountBalance, Journal, JournalEntry, JournalLine
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


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return _next_month(day) - dt.timedelta(days=1)


def account_totals(
    *, company: Company, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Posted (debit, credit) per account id between two dates (inclusive; open-ended when None).

    Whole months come from the monthly balances; only the days of a partial first or last month
    are added up from the lines, so the cost does not grow with the ledger.
    """
    totals: dict[int, list[Decimal]] = {}

    def add(account_id: int, debit: Decimal, credit: Decimal) -> None:
        row = totals.setdefault(account_id, [ZERO, ZERO])
        row[0] += debit
        row[1] += credit

    first_full = None if date_from is None else (date_from if date_from.day == 1 else _next_month(date_from))
    last_full = (
        None
        if date_to is None
        else (_month_start(date_to) if _month_end(date_to) == date_to else _month_start(date_to) - dt.timedelta(days=1))
    )
    months = AccountBalance.objects.filter(company=company)
    if first_full is not None:
        months = months.filter(period__gte=first_full)
    if last_full is not None:
        months = months.filter(period__lte=last_full)
    if first_full is None or last_full is None or first_full <= last_full:
        rows = (
            months.values("account_id").annotate(d=Sum("debit_units"), c=Sum("credit_units")).values_list("account_id", "d", "c")
        )
        for account_id, debit_units, credit_units in rows:
            add(account_id, Decimal(debit_units).scaleb(-4), Decimal(credit_units).scaleb(-4))
    # The days of a partial first or last month come from the lines.
    partial: list[tuple[dt.date, dt.date]] = []
    if date_from is not None and date_from.day != 1:
        partial.append((date_from, min(_month_end(date_from), date_to or dt.date.max)))
    if date_to is not None and _month_end(date_to) != date_to:
        start = max(_month_start(date_to), date_from or dt.date.min)
        if not partial or start > partial[0][1]:
            partial.append((start, date_to))
    for start, end in partial:
        rows = (
            JournalLine.objects.filter(company=company, entry__state=JournalEntry.State.POSTED, date__gte=start, date__lte=end)
            .values("account_id")
            .annotate(d=ExactSum("debit"), c=ExactSum("credit"))
            .values_list("account_id", "d", "c")
        )
        for account_id, debit, credit in rows:
            add(account_id, debit or ZERO, credit or ZERO)
    return {k: (v[0], v[1]) for k, v in totals.items()}


def trial_balance(
    *, user: User | None, company: Company, date_to: dt.date | None = None, date_from: dt.date | None = None
) -> list[TrialBalanceRow]:
    """Debit and credit totals per account with postings in the range, ordered by code."""
    if user is not None:
        require(user, "finance.view_ledger", company)
    totals = account_totals(company=company, date_from=date_from, date_to=date_to)
    accounts = Account.objects.filter(company=company, pk__in=totals).order_by("code").values_list("pk", "code", "name", "type")
    return [
        TrialBalanceRow(pk, code, name, type_, *totals[pk]) for pk, code, name, type_ in accounts if totals[pk] != (ZERO, ZERO)
    ]


def balance_check(*, company: Company) -> list[str]:
    """Compare the monthly balances with the posted lines; return one message per mismatch (empty when equal)."""
    expected: dict[tuple[int, dt.date], tuple[Decimal, Decimal]] = {}
    lines = JournalLine.objects.filter(company=company, entry__state=JournalEntry.State.POSTED)
    for account_id, day, debit, credit in lines.values_list("account_id", "date", "debit", "credit").iterator(chunk_size=5000):
        key = (account_id, _month_start(day))
        d, c = expected.get(key, (ZERO, ZERO))
        expected[key] = (d + debit, c + credit)
    stored = {
        (a, p): (Decimal(d).scaleb(-4), Decimal(c).scaleb(-4))
        for a, p, d, c in AccountBalance.objects.filter(company=company).values_list(
            "account_id", "period", "debit_units", "credit_units"
        )
    }
    problems = []
    for key in sorted(set(expected) | set(stored)):
        if expected.get(key, (ZERO, ZERO)) != stored.get(key, (ZERO, ZERO)):
            problems.append(
                f"account {key[0]} {key[1]:%Y-%m}: balances {stored.get(key)} but lines add up to {expected.get(key)}"
            )
    return problems


def account_balance(*, company: Company, account_id: int, party_id: int | None = None, date_to: dt.date | None = None) -> Decimal:
    """Posted balance (debit − credit) of one account, optionally for one party."""
    qs = JournalLine.objects.filter(company=company, account_id=account_id, entry__state=JournalEntry.State.POSTED)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    totals = qs.aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
    return (totals["d"] or ZERO) - (totals["c"] or ZERO)


def account_ids_by_code(*, company: Company, codes: Iterable[str]) -> dict[str, int]:
    """Map account codes to the ids of the company's active accounts that take postings (not group accounts)."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = Account.objects.filter(company=company, code__in=wanted, is_active=True, is_group=False).values_list("code", "pk")
    return dict(rows)


def account_for_role(*, company: Company, role: str) -> Account | None:
    """The company's active account with ``role`` (``Account.Role``), lowest code first; None when the chart has none.

    Other apps post through finance's services with these accounts (stock, goods received not
    invoiced, cost of goods sold …) instead of hard-coding account codes.
    """
    return Account.objects.filter(company=company, role=role, is_active=True, is_group=False).order_by("code").first()


def accounts_for_roles(*, company: Company, roles: Iterable[str]) -> dict[str, Account]:
    """``account_for_role`` of several roles in one read; a role the chart has no account for is left out."""
    found: dict[str, Account] = {}
    for account in Account.objects.filter(company=company, role__in=set(roles), is_active=True, is_group=False).order_by("-code"):
        found[account.role] = account  # the lowest code of each role comes last
    return found


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
