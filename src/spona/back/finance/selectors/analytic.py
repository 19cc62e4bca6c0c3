"""Analytic reports: income and expenses per cost centre or per project, from the lines' dimensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from spona.back.finance.models import Account, AnalyticAccount, JournalEntry, JournalLine
from spona.back.finance.selectors.reports import comparison_range
from spona.core.aggregates import ExactSum
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

ZERO = Decimal(0)
DIMENSIONS = tuple(AnalyticAccount.Dimension.values)


@dataclass
class AnalyticRow:
    """One cost centre or project (``analytic_id`` None: lines that carry none)."""

    analytic_id: int | None
    code: str
    name: str
    income: Decimal
    expense: Decimal
    compare_income: Decimal | None = None
    compare_expense: Decimal | None = None

    @property
    def result(self) -> Decimal:
        return self.income - self.expense

    @property
    def compare_result(self) -> Decimal | None:
        if self.compare_income is None or self.compare_expense is None:
            return None
        return self.compare_income - self.compare_expense


@dataclass
class AnalyticReport:
    dimension: str
    date_from: dt.date
    date_to: dt.date
    rows: list[AnalyticRow]
    compare_from: dt.date | None = None
    compare_to: dt.date | None = None

    def total(self, name: str) -> Decimal | None:
        """The sum of one column (``income``, ``compare_result`` …) over the rows; None for an absent comparison."""
        values = [getattr(row, name) for row in self.rows]
        if self.compare_to is None and name.startswith("compare_"):
            return None
        return sum((v or ZERO for v in values), ZERO)


def _check_dimension(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise ValidationFailed(f"Unknown dimension {dimension!r}.", field_errors={"dimension": ["Unknown."]})


def _posted_lines(company: Company, date_from: dt.date, date_to: dt.date) -> Q:
    return Q(company=company, entry__state=JournalEntry.State.POSTED, date__gte=date_from, date__lte=date_to)


def _sums(company: Company, dimension: str, date_from: dt.date, date_to: dt.date) -> dict[int | None, tuple[Decimal, Decimal]]:
    """(income, expense) per analytic account id over a period, in one grouped query."""
    rows = (
        JournalLine.objects.filter(
            _posted_lines(company, date_from, date_to), account__type__in=[Account.Type.INCOME, Account.Type.EXPENSE]
        )
        .values(f"{dimension}_id", "account__type")
        .annotate(d=ExactSum("debit"), c=ExactSum("credit"))
        .values_list(f"{dimension}_id", "account__type", "d", "c")
    )
    sums: dict[int | None, tuple[Decimal, Decimal]] = {}
    for analytic_id, account_type, debit, credit in rows:
        income, expense = sums.get(analytic_id, (ZERO, ZERO))
        if account_type == Account.Type.INCOME:
            income += (credit or ZERO) - (debit or ZERO)
        else:
            expense += (debit or ZERO) - (credit or ZERO)
        sums[analytic_id] = (income, expense)
    return sums


def analytic_report(
    *, user: User | None, company: Company, dimension: str, date_from: dt.date, date_to: dt.date, compare: str = ""
) -> AnalyticReport:
    """Income, expenses and result per cost centre (or project) over a period, with an optional comparison.

    Income is credits less debits on income accounts, expenses debits less credits on expense
    accounts; lines without the dimension form one row of their own, so the results add up to
    the profit and loss. Raises ValidationFailed for an unknown dimension.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    _check_dimension(dimension)
    current = _sums(company, dimension, date_from, date_to)
    compare_from, compare_to = comparison_range(date_from, date_to, compare)
    previous = _sums(company, dimension, compare_from, compare_to) if compare_from and compare_to else None
    ids = set(current) | set(previous or {})
    names = {
        pk: (code, name)
        for pk, code, name in AnalyticAccount.objects.filter(company=company, pk__in=[i for i in ids if i]).values_list(
            "pk", "code", "name"
        )
    }
    rows = []
    for analytic_id in ids:
        income, expense = current.get(analytic_id, (ZERO, ZERO))
        before = previous.get(analytic_id, (ZERO, ZERO)) if previous is not None else (None, None)
        if not (income or expense or before[0] or before[1]):
            continue
        code, name = names.get(analytic_id, ("", "")) if analytic_id else ("", "Unassigned")
        rows.append(AnalyticRow(analytic_id, code, name, income, expense, *before))
    # Named rows by code, the lines without the dimension last.
    rows.sort(key=lambda r: (r.analytic_id is None, r.code, r.analytic_id or 0))
    return AnalyticReport(dimension, date_from, date_to, rows, compare_from, compare_to)


@dataclass
class AnalyticLine:
    entry_id: int
    number: str
    date: dt.date
    account: str
    label: str
    debit: Decimal
    credit: Decimal


def analytic_lines(
    *, user: User | None, company: Company, dimension: str, analytic_id: int | None, date_from: dt.date, date_to: dt.date
) -> Iterator[AnalyticLine]:
    """Stream the posted income and expense lines behind one row of the analytic report, by date.

    ``analytic_id`` None gives the lines without the dimension; an id of another company gives none.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    _check_dimension(dimension)
    lines = JournalLine.objects.filter(
        _posted_lines(company, date_from, date_to),
        account__type__in=[Account.Type.INCOME, Account.Type.EXPENSE],
        **{f"{dimension}_id": analytic_id},
    ).order_by("date", "entry_id", "pk")
    rows = lines.values_list(
        "entry_id", "entry__number", "date", "account__code", "account__name", "label", "entry__memo", "debit", "credit"
    )
    # The checks above run now; the lines are read when the caller iterates.
    return (
        AnalyticLine(entry_id, number, day, f"{code} {account}", label or memo, debit, credit)
        for entry_id, number, day, code, account, label, memo, debit, credit in rows.iterator(chunk_size=2000)
    )
