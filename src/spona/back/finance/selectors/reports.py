"""Financial statements and analyses, read from the monthly balances and open items.

Every report is a plain data structure (rows of Decimals) that the UI renders, the API
serialises and the exports write, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from spona.back.finance.models import Account, JournalEntry, JournalLine, Reconciliation
from spona.back.finance.models.accounts import cash_flow_class
from spona.back.finance.selectors.ledger import account_totals
from spona.core.aggregates import ExactSum
from spona.core.errors import ApplicationError
from spona.core.models import Company, Party, User
from spona.core.money import round_amount
from spona.core.permissions import require

ZERO = Decimal(0)


@dataclass
class ReportRow:
    account_id: int | None
    code: str
    name: str
    amount: Decimal
    compare: Decimal | None = None


@dataclass
class Section:
    title: str
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def compare_total(self) -> Decimal | None:
        if not self.rows or self.rows[0].compare is None:
            return None
        return sum((r.compare or ZERO for r in self.rows), ZERO)


@dataclass
class Statement:
    title: str
    date_from: dt.date | None
    date_to: dt.date
    sections: list[Section]
    result_label: str
    result: Decimal
    compare_from: dt.date | None = None
    compare_to: dt.date | None = None
    compare_result: Decimal | None = None


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def comparison_range(date_from: dt.date | None, date_to: dt.date, compare: str) -> tuple[dt.date | None, dt.date | None]:
    """The range to compare with: the same dates a year earlier, or the period just before of equal length."""
    if compare == "previous_year":
        return (_shift_year(date_from, -1) if date_from else None), _shift_year(date_to, -1)
    if compare == "previous_period" and date_from is not None:
        length = date_to - date_from
        end = date_from - dt.timedelta(days=1)
        return end - length, end
    return None, None


def _sections(
    company: Company, groups: Sequence[tuple[str, str, int]], date_from: dt.date | None, date_to: dt.date, compare: str
) -> tuple[list[Section], dt.date | None, dt.date | None]:
    """Sections of accounts by type; ``sign`` turns debit-minus-credit into the natural sign of the section."""
    totals = account_totals(company=company, date_from=date_from, date_to=date_to)
    compare_from, compare_to = comparison_range(date_from, date_to, compare)
    previous = account_totals(company=company, date_from=compare_from, date_to=compare_to) if compare_to else None
    accounts = Account.objects.filter(company=company, is_group=False).order_by("code").values_list("pk", "code", "name", "type")
    sections = []
    for title, account_type, sign in groups:
        section = Section(title)
        for pk, code, name, type_ in accounts:
            if type_ != account_type:
                continue
            debit, credit = totals.get(pk, (ZERO, ZERO))
            before = previous.get(pk, (ZERO, ZERO)) if previous is not None else None
            amount = sign * (debit - credit)
            compare_amount = sign * (before[0] - before[1]) if before is not None else None
            if amount or compare_amount:
                section.rows.append(ReportRow(pk, code, name, amount, compare_amount))
        sections.append(section)
    return sections, compare_from, compare_to


def profit_and_loss(*, user: User | None, company: Company, date_from: dt.date, date_to: dt.date, compare: str = "") -> Statement:
    """Income less expenses over a period, with an optional comparison column."""
    if user is not None:
        require(user, "finance.view_ledger", company)
    sections, compare_from, compare_to = _sections(
        company, [("Income", "income", -1), ("Expenses", "expense", 1)], date_from, date_to, compare
    )
    income, expenses = sections
    compare_result = None
    if compare_to is not None:
        compare_result = (income.compare_total or ZERO) - (expenses.compare_total or ZERO)
    return Statement(
        "Profit and loss",
        date_from,
        date_to,
        sections,
        "Net profit",
        income.total - expenses.total,
        compare_from,
        compare_to,
        compare_result,
    )


def balance_sheet(*, user: User | None, company: Company, date_to: dt.date, compare: str = "") -> Statement:
    """Assets against liabilities and equity at a date; unclosed results appear as current earnings.

    Assets = liabilities + equity (the result is the difference, which is zero for a sound ledger).
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    groups = [("Assets", "asset", 1), ("Liabilities", "liability", -1), ("Equity", "equity", -1)]
    sections, compare_from, compare_to = _sections(company, groups, None, date_to, compare)
    assets, liabilities, equity = sections
    # Income and expenses not yet closed into retained earnings belong to equity.
    totals = account_totals(company=company, date_to=date_to)
    previous = account_totals(company=company, date_to=compare_to) if compare_to else None
    pl_ids = set(Account.objects.filter(company=company, type__in=["income", "expense"]).values_list("pk", flat=True))
    earnings = -sum(((d - c) for pk, (d, c) in totals.items() if pk in pl_ids), ZERO)
    before = -sum(((d - c) for pk, (d, c) in previous.items() if pk in pl_ids), ZERO) if previous is not None else None
    if earnings or before:
        equity.rows.append(ReportRow(None, "", "Unallocated earnings", earnings, before))
    result = assets.total - liabilities.total - equity.total
    compare_result = None
    if compare_to is not None:
        compare_result = (assets.compare_total or ZERO) - (liabilities.compare_total or ZERO) - (equity.compare_total or ZERO)
    return Statement(
        "Balance sheet",
        None,
        date_to,
        sections,
        "Assets − liabilities − equity",
        result,
        compare_from,
        compare_to,
        compare_result,
    )


@dataclass
class CashFlowStatement(Statement):
    """A cash-flow statement: ``result`` is the net change in cash, ``sections`` explain it.

    The first section holds the result of the period, the next two the non-cash items and the
    changes in working capital that together with it make the cash from operating activities.
    """

    operating: Decimal = ZERO
    cash_start: Decimal = ZERO
    cash_end: Decimal = ZERO
    compare_operating: Decimal | None = None
    compare_cash_start: Decimal | None = None
    compare_cash_end: Decimal | None = None


# The cash-flow sections in the order of the statement, by Account.CashFlow class.
CASH_FLOW_SECTIONS = (
    ("result", "Result of the period"),
    ("non_cash", "Non-cash items"),
    ("working_capital", "Changes in working capital"),
    ("investing", "Investing activities"),
    ("financing", "Financing activities"),
)
OPERATING = ("result", "non_cash", "working_capital")


def _cash_effects(
    company: Company, classes: dict[int, str], date_from: dt.date, date_to: dt.date
) -> tuple[dict[int, Decimal], Decimal, Decimal]:
    """Each non-cash account's effect on cash over the period, and the cash balances before and at its end.

    Every entry balances, so the debits to cash equal the credits minus the debits of all the
    other accounts: an account's effect on cash is its credits less its debits.
    """
    moves = account_totals(company=company, date_from=date_from, date_to=date_to)
    effects = {pk: credit - debit for pk, (debit, credit) in moves.items() if classes.get(pk, "cash") != "cash"}
    cash_ids = [pk for pk, cls in classes.items() if cls == "cash"]

    def cash_at(day: dt.date) -> Decimal:
        totals = account_totals(company=company, date_to=day)
        return sum((totals[pk][0] - totals[pk][1] for pk in cash_ids if pk in totals), ZERO)

    start, end = cash_at(date_from - dt.timedelta(days=1)), cash_at(date_to)
    if start + sum(effects.values(), ZERO) != end:
        # Only an unbalanced entry (or monthly balances that disagree with the lines) gets here.
        raise ApplicationError(
            f"Cash at the start ({start}) and its change do not add up to the cash at the end ({end}): "
            "run `spona finance verify` and the balance check.",
            code="cash_flow_unbalanced",
        )
    return effects, start, end


def cash_flow(
    *, user: User | None, company: Company, date_from: dt.date, date_to: dt.date, compare: str = ""
) -> CashFlowStatement:
    """Explain the change in cash over a period by the indirect method, with an optional comparison column.

    The result of the period, plus non-cash items and changes in working capital, makes the cash
    from operating activities; investing and financing activities follow. Accounts are placed by
    their cash-flow class (``Account.cash_flow``, else their type and role). Cash at the start plus
    the net change must equal the cash at the end; raises ApplicationError when it does not.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    accounts = list(
        Account.objects.filter(company=company, is_group=False)
        .order_by("code")
        .values_list("pk", "code", "name", "type", "role", "cash_flow")
    )
    classes = {pk: cash_flow_class(type_, role, cls) for pk, _code, _name, type_, role, cls in accounts}
    effects, start, end = _cash_effects(company, classes, date_from, date_to)
    compare_from, compare_to = comparison_range(date_from, date_to, compare)
    before = None
    if compare_from is not None and compare_to is not None:
        before = _cash_effects(company, classes, compare_from, compare_to)
    sections = {key: Section(title) for key, title in CASH_FLOW_SECTIONS}
    result = sum((v for pk, v in effects.items() if classes[pk] == "result"), ZERO)
    compare_result = sum((v for pk, v in before[0].items() if classes[pk] == "result"), ZERO) if before else None
    sections["result"].rows.append(ReportRow(None, "", "Result of the period", result, compare_result))
    for pk, code, name, *_rest in accounts:
        cls = classes[pk]
        if cls in ("cash", "result"):
            continue
        amount = effects.get(pk, ZERO)
        compare_amount = before[0].get(pk, ZERO) if before else None
        if amount or compare_amount:
            sections[cls].rows.append(ReportRow(pk, code, name, amount, compare_amount))

    def operating(column: str) -> Decimal:
        return sum((getattr(sections[key], column) or ZERO for key in OPERATING), ZERO)

    return CashFlowStatement(
        "Cash-flow statement",
        date_from,
        date_to,
        list(sections.values()),
        "Net change in cash",
        end - start,
        compare_from,
        compare_to,
        (before[2] - before[1]) if before else None,
        operating=operating("total"),
        cash_start=start,
        cash_end=end,
        compare_operating=operating("compare_total") if before else None,
        compare_cash_start=before[1] if before else None,
        compare_cash_end=before[2] if before else None,
    )


@dataclass
class AgedRow:
    party_id: int
    party: str
    buckets: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass
class AgedReport:
    kind: str
    on: dt.date
    labels: list[str]
    rows: list[AgedRow]

    @property
    def totals(self) -> list[Decimal]:
        return [sum((r.buckets[i] for r in self.rows), ZERO) for i in range(len(self.labels))]


def _bucket(due: Any, on: dt.date, bounds: Sequence[int]) -> Case:
    """Which column an item falls in: 0 not yet due, then one per bound, last older than all."""
    whens = [When(**{f"{due}__gte": on}, then=Value(0))]
    whens += [When(**{f"{due}__gte": on - dt.timedelta(days=bound)}, then=Value(i + 1)) for i, bound in enumerate(bounds)]
    return Case(*whens, default=Value(len(bounds) + 1), output_field=IntegerField())


def _aged_sums(company: Company, role: str, on: dt.date, bounds: Sequence[int]) -> dict[tuple[int, int], Decimal]:
    """Open amount per (partner, column) in three grouped queries, however many lines there are.

    An item's open amount is its balance less its matches; a match of amount m lowers its
    debit line's open amount by m and raises its credit line's (negative) one by m, so the
    matches can be added up per column of each side instead of per line.
    """
    posted = JournalEntry.State.POSTED
    totals: dict[tuple[int, int], Decimal] = {}

    def add(key: tuple[int, int], amount: Decimal | None) -> None:
        totals[key] = totals.get(key, ZERO) + (amount or ZERO)

    lines = (
        JournalLine.objects.filter(company=company, account__role=role, entry__state=posted, date__lte=on, party__isnull=False)
        .annotate(due=Coalesce("due_date", "date"))
        .annotate(column=_bucket("due", on, bounds))
        .values("party_id", "column")
        .annotate(d=ExactSum("debit"), c=ExactSum("credit"))
    )
    for row in lines:
        add((row["party_id"], row["column"]), (row["d"] or ZERO) - (row["c"] or ZERO))
    matches = Reconciliation.objects.filter(
        company=company, debit_line__account__role=role, debit_line__date__lte=on, credit_line__date__lte=on
    )
    for side, sign in (("debit_line", -1), ("credit_line", 1)):
        rows = (
            matches.exclude(**{f"{side}__party": None})
            .annotate(due=Coalesce(f"{side}__due_date", f"{side}__date"))
            .annotate(column=_bucket("due", on, bounds))
            .values(f"{side}__party_id", "column")
            .annotate(m=ExactSum("amount"))
        )
        for row in rows:
            add((row[f"{side}__party_id"], row["column"]), sign * (row["m"] or ZERO))
    return totals


def aged_balances(
    *, user: User | None, company: Company, kind: str = "receivable", on: dt.date, buckets: Sequence[int] = (30, 60, 90)
) -> AgedReport:
    """Open receivables (or payables) per partner by how many days past due they are at ``on``.

    ``buckets`` are the upper bounds in days of the overdue columns; a first column holds what is
    not yet due and a last one everything older than the last bound.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    if kind not in ("receivable", "payable"):
        raise ValueError(f"Unknown kind {kind!r}.")
    bounds = sorted(set(buckets))
    labels = ["Not due"] + [f"{lo + 1}–{hi}" for lo, hi in zip([0, *bounds[:-1]], bounds, strict=True)] + [f"> {bounds[-1]}"]
    per_party: dict[int, list[Decimal]] = {}
    sign = 1 if kind == Account.Role.RECEIVABLE else -1
    for (party_id, column), amount in _aged_sums(company, kind, on, bounds).items():
        per_party.setdefault(party_id, [ZERO] * len(labels))[column] += sign * round_amount(amount, company.base_currency)
    names = dict(Party.objects.filter(pk__in=per_party).values_list("pk", "name"))
    rows = sorted(
        (AgedRow(pid, names.get(pid, ""), values) for pid, values in per_party.items() if any(values)),
        key=lambda r: (r.party, r.party_id),
    )
    return AgedReport(kind, on, labels, rows)


@dataclass
class LedgerLine:
    entry_id: int
    number: str
    date: dt.date
    label: str
    party: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class Ledger:
    opening: Decimal
    lines: list[LedgerLine]
    closing: Decimal


def general_ledger_stream(
    *, user: User | None, company: Company, account_id: int, date_from: dt.date, date_to: dt.date, party_id: int | None = None
) -> tuple[Decimal, Iterator[LedgerLine]]:
    """Return the opening balance and the posted lines of one account with the running balance, read in chunks.

    Exports of a large ledger stream from here: the lines are never all held in memory.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    base = JournalLine.objects.filter(company=company, account_id=account_id, entry__state=JournalEntry.State.POSTED)
    if party_id is not None:
        base = base.filter(party_id=party_id)
    if party_id is None:
        debit, credit = account_totals(company=company, date_to=date_from - dt.timedelta(days=1)).get(account_id, (ZERO, ZERO))
        opening = debit - credit
    else:
        before = base.filter(date__lt=date_from).aggregate(d=ExactSum("debit"), c=ExactSum("credit"))
        opening = (before["d"] or ZERO) - (before["c"] or ZERO)
    rows = (
        base.filter(date__gte=date_from, date__lte=date_to)
        .order_by("date", "entry_id", "pk")
        .values_list("entry_id", "entry__number", "date", "label", "entry__memo", "party__name", "debit", "credit")
    )

    def lines() -> Iterator[LedgerLine]:
        running = opening
        for entry_id, number, day, label, memo, party, debit, credit in rows.iterator(chunk_size=2000):
            running += debit - credit
            yield LedgerLine(entry_id, number, day, label or memo, party or "", debit, credit, running)

    return opening, lines()


def general_ledger(
    *, user: User | None, company: Company, account_id: int, date_from: dt.date, date_to: dt.date, party_id: int | None = None
) -> Ledger:
    """The posted lines of one account (optionally one partner) with the running balance."""
    opening, stream = general_ledger_stream(
        user=user, company=company, account_id=account_id, date_from=date_from, date_to=date_to, party_id=party_id
    )
    lines = list(stream)
    return Ledger(opening, lines, lines[-1].balance if lines else opening)


def partner_ledger(
    *, user: User | None, company: Company, party_id: int, date_from: dt.date, date_to: dt.date
) -> dict[str, Ledger]:
    """A partner's receivable and payable lines with running balances, by account code."""
    if user is not None:
        require(user, "finance.view_ledger", company)
    accounts = Account.objects.filter(company=company, role__in=[Account.Role.RECEIVABLE, Account.Role.PAYABLE]).order_by("code")
    return {
        f"{a.code} {a.name}": general_ledger(
            user=None, company=company, account_id=a.pk, date_from=date_from, date_to=date_to, party_id=party_id
        )
        for a in accounts
    }


@dataclass
class TaxRow:
    group: str
    tax: str
    use: str
    base: Decimal
    amount: Decimal


def tax_report(*, user: User | None, company: Company, date_from: dt.date, date_to: dt.date) -> list[TaxRow]:
    """Tax bases and amounts per tax and tax group over a period, as the VAT return needs them.

    Sales taxes are reported positive when owed (credits), purchase taxes positive when
    deductible (debits); credit notes and refunds reduce them.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    rows = (
        JournalLine.objects.filter(
            company=company, entry__state=JournalEntry.State.POSTED, date__gte=date_from, date__lte=date_to, tax__isnull=False
        )
        .values("tax__group__name", "tax__name", "tax__use")
        .annotate(
            d=ExactSum("debit"),
            c=ExactSum("credit"),
            base_debit=ExactSum("tax_base", filter=Q(debit__gt=0)),
            base_credit=ExactSum("tax_base", filter=Q(credit__gt=0)),
        )
        .order_by("tax__use", "tax__group__name", "tax__name")
    )
    result = []
    for row in rows:
        owed = (row["c"] or ZERO) - (row["d"] or ZERO)
        base = (row["base_credit"] or ZERO) - (row["base_debit"] or ZERO)
        sign = 1 if row["tax__use"] == "sales" else -1
        result.append(TaxRow(row["tax__group__name"], row["tax__name"], row["tax__use"], sign * base, sign * owed))
    return result
