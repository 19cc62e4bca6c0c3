"""The journal audit report: every posted entry of a journal in number order, with its proof.

An auditor reads a journal's entries one after the other with who posted them and when, the
reversal links and the hash chain; the report flags numbers missing from a series and the
first place where the chain no longer matches what was posted (``ledger_verify``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from spona.back.finance.models import Journal, JournalEntry
from spona.back.finance.selectors.ledger import ChainBreak, ledger_verify
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound
from spona.core.models import Company, User
from spona.core.permissions import require

ZERO = Decimal(0)


@dataclass
class AuditRow:
    entry_id: int
    position: int
    date: dt.date
    number: str
    memo: str
    debit: Decimal
    credit: Decimal
    posted_by: str
    posted_at: dt.datetime | None
    reversal_of: tuple[int, str] | None
    reversed_by: tuple[int, str] | None
    hash: str
    previous_hash: str
    # What the auditor must look at: numbers missing just before this entry, a chain break at it.
    missing_before: int = 0
    chain_break: str = ""


@dataclass
class JournalAudit:
    """The header of the report; ``rows`` is a generator read once (exports stream it)."""

    journal_id: int
    journal: str
    date_from: dt.date
    date_to: dt.date
    breaks: list[ChainBreak]
    rows: Iterator[AuditRow]


def _split(number: str) -> tuple[str, int]:
    """``"SAL/2026/00042"`` → ``("SAL/2026/", 42)``: the series and the place in it."""
    prefix, _, digits = number.rpartition("/")
    return (f"{prefix}/" if prefix else ""), int(digits) if digits.isdigit() else 0


def _absent(journal: Journal, series: str, after: int, before: int, expected: int) -> int:
    """How many of the ``expected`` numbers posted between two chain positions of a series no entry carries.

    Numbers grow with the chain inside a series, so the numbers between two entries belong to the
    entries posted between them: counting those is enough, however long the span.
    """
    present = JournalEntry.objects.filter(
        journal=journal,
        state=JournalEntry.State.POSTED,
        number__startswith=series,
        chain_position__gt=after,
        chain_position__lt=before,
    ).count()
    return max(expected - present, 0)


def journal_audit(*, user: User | None, company: Company, journal_id: int, date_from: dt.date, date_to: dt.date) -> JournalAudit:
    """List a journal's posted entries dated in a period, in number order, with gaps and chain breaks flagged.

    Entries come in posting order, which is number order inside each fiscal year's series (the
    number and the chain position are taken in the same locked step). A number that no posted
    entry of the journal carries is a gap; numbers of entries dated outside the period are not.
    Raises NotFound when the journal is not the company's.
    """
    if user is not None:
        require(user, "finance.view_ledger", company)
    journal = Journal.objects.filter(pk=journal_id, company=company).first()
    if journal is None:
        raise NotFound("No such journal.")
    breaks = ledger_verify(company=company, journal_code=journal.code)
    broken = {b.position: b.reason for b in breaks}
    entries = (
        JournalEntry.objects.filter(journal=journal, state=JournalEntry.State.POSTED, date__gte=date_from, date__lte=date_to)
        .order_by("chain_position")
        .annotate(d=ExactSum("lines__debit"), c=ExactSum("lines__credit"))
        .values_list(
            "pk",
            "chain_position",
            "date",
            "number",
            "memo",
            "d",
            "c",
            "posted_by__full_name",
            "posted_at",
            "reversal_of_id",
            "reversal_of__number",
            "reversed_by__pk",
            "reversed_by__number",
            "hash",
            "previous_hash",
        )
    )

    def rows() -> Iterator[AuditRow]:
        last: dict[str, tuple[int, int]] = {}
        for pk, position, day, number, memo, d, c, by, at, rev_id, rev_no, by_id, by_no, digest, previous in entries.iterator(
            chunk_size=2000
        ):
            series, n = _split(number)
            before, before_position = last.get(series, (0, 0))
            absent = _absent(journal, series, before_position, position, n - before - 1) if n > before + 1 else 0
            last[series] = (n, position)
            yield AuditRow(
                pk,
                position,
                day,
                number,
                memo,
                d or ZERO,
                c or ZERO,
                by or "",
                at,
                (rev_id, rev_no) if rev_id else None,
                (by_id, by_no) if by_id else None,
                digest,
                previous,
                absent,
                broken.get(position, ""),
            )

    return JournalAudit(journal.pk, f"{journal.code} {journal.name}", date_from, date_to, breaks, rows())
