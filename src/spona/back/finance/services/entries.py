"""Journal entries: create, post, reverse; lock dates (QUALITY L1, L2, L3, L4, L5, N1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from spona.back.finance import chain
from spona.back.finance.models import (
    Account,
    AccountBalance,
    AnalyticAccount,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
    LedgerSettings,
    Tax,
)
from spona.core import audit, events
from spona.core.db import service_atomic, unique_row
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import precision, to_decimal
from spona.core.permissions import require
from spona.core.services import sequence_next

ZERO = Decimal(0)
# What the ledger's columns (20 digits, 4 decimals) and balances hold with room for sums.
LIMIT = Decimal(10) ** 12
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
# Balances are kept in whole ten-thousandths of the currency unit (see AccountBalance).
UNITS = Decimal(10_000)


@dataclass(frozen=True)
class LineIn:
    """One line as a caller describes it; amounts in company currency."""

    account_id: int
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    label: str = ""
    party_id: int | None = None
    currency: str = ""
    amount_currency: Decimal = ZERO
    tax_id: int | None = None
    tax_base: Decimal | None = None
    cost_centre_id: int | None = None
    project_id: int | None = None
    due_date: dt.date | None = None


def _settings(company: Company) -> LedgerSettings:
    settings, _ = LedgerSettings.objects.get_or_create(company=company)
    return settings


def _check_date(company: Company, date: dt.date) -> None:
    if not MIN_DATE <= date <= MAX_DATE:
        raise ValidationFailed(f"Dates run from {MIN_DATE.year} to {MAX_DATE.year}.", field_errors={"date": ["Out of range."]})
    settings = _settings(company)
    for lock in (settings.hard_lock_date, settings.soft_lock_date):
        if lock is not None and date <= lock:
            raise ValidationFailed(
                f"The books are locked up to {lock.isoformat()}; use a later date.",
                field_errors={"date": [f"Locked up to {lock}."]},
            )


def fiscal_year_for(company: Company, date: dt.date) -> FiscalYear:
    """Return the fiscal year containing ``date``, creating it from the company's start month if needed."""
    year = FiscalYear.objects.filter(company=company, start__lte=date, end__gte=date).first()
    if year is not None:
        return year
    month = company.fiscal_year_start_month
    start_year = date.year if date.month >= month else date.year - 1
    start = dt.date(start_year, month, 1)
    end = dt.date(start_year + 1, month, 1) - dt.timedelta(days=1)
    name = str(start_year) if month == 1 else f"{start_year}/{start_year + 1}"
    year, _ = FiscalYear.objects.get_or_create(company=company, start=start, defaults={"end": end, "name": name})
    return year


def _validate_lines(company: Company, lines: Sequence[LineIn], *, known_party: int | None = None) -> None:
    """Check the lines' amounts and that their accounts, parties, taxes and analytic accounts are the
    company's (``known_party`` has been checked already)."""
    places = precision(company.base_currency)
    quantum = Decimal(1).scaleb(-places)
    errors: dict[str, list[str]] = {}
    if sum((to_decimal(x.debit) + to_decimal(x.credit) for x in lines), ZERO) >= LIMIT:
        errors["lines"] = [f"Amounts must stay below {LIMIT:,} in total."]
    if len(lines) < 2:
        errors["lines"] = ["An entry needs at least two lines."]
    for i, line in enumerate(lines):
        debit, credit = to_decimal(line.debit), to_decimal(line.credit)
        problems = []
        if debit < 0 or credit < 0:
            problems.append("Amounts cannot be negative; use the other side.")
        if debit and credit:
            problems.append("A line is either a debit or a credit.")
        if debit != debit.quantize(quantum) or credit != credit.quantize(quantum):
            problems.append(f"Amounts in {company.base_currency} have at most {places} decimals.")
        if problems:
            errors[f"lines[{i}]"] = problems
    ids = {
        "account": ({line.account_id for line in lines}, Account.objects.filter(company=company, is_group=False, is_active=True)),
        "party": ({line.party_id for line in lines if line.party_id} - {known_party}, Party.objects.filter(company=company)),
        "tax": ({line.tax_id for line in lines if line.tax_id}, Tax.objects.filter(company=company)),
        "analytic": (
            {x for line in lines for x in (line.cost_centre_id, line.project_id) if x},
            AnalyticAccount.objects.filter(company=company),
        ),
    }
    for name, (wanted, queryset) in ids.items():
        found = set(queryset.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
        if wanted - found:
            # Another company's id is reported like a missing one (SEC4): nothing about it leaks.
            errors.setdefault("lines", []).append(f"Unknown or unusable {name}: {', '.join(map(str, sorted(wanted - found)))}.")
    if errors:
        raise ValidationFailed("The entry is not valid.", field_errors=errors)


@service_atomic
def entry_create(
    *,
    actor: User | None,
    company: Company,
    journal_id: int,
    date: dt.date,
    lines: Sequence[LineIn],
    reference: str = "",
    memo: str = "",
    party_id: int | None = None,
    source: str = "",
    post: bool = False,
) -> JournalEntry:
    """Create a draft entry (and post it at once with ``post=True``).

    Other apps' documents (invoices, stock valuation, payroll) create their entries here and
    pass ``actor=None`` after checking their own permissions. Raises ValidationFailed for
    unknown or foreign accounts, parties, taxes, a locked date or malformed amounts.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    journals = Journal.objects.filter(pk=journal_id, company=company, is_active=True)
    # Posting at once locks the journal now (as _post would): one read instead of two.
    journal = unique_row(journals.select_for_update() if post else journals)
    if journal is None:
        raise NotFound("No such journal.")
    if party_id is not None and not Party.objects.filter(pk=party_id, company=company).exists():
        raise NotFound("No such party.")
    _validate_lines(company, lines, known_party=party_id)
    _check_date(company, date)
    entry = JournalEntry(
        company=company, journal=journal, date=date, reference=reference[:100], memo=memo[:300], party_id=party_id, source=source
    )
    entry.save()
    created = JournalLine.objects.bulk_create(
        [
            JournalLine(
                entry=entry,
                company=company,
                date=date,
                account_id=line.account_id,
                party_id=line.party_id,
                label=line.label[:200],
                debit=to_decimal(line.debit),
                credit=to_decimal(line.credit),
                currency=line.currency,
                amount_currency=to_decimal(line.amount_currency),
                tax_id=line.tax_id,
                tax_base=line.tax_base,
                cost_centre_id=line.cost_centre_id,
                project_id=line.project_id,
                due_date=line.due_date,
            )
            for line in lines
        ]
    )
    if post:
        return _post(entry, actor, lines=created, date_checked=True, locked_journal=journal)
    audit.record(actor=actor, target=entry, action="created")
    return entry


@transaction.atomic
def entry_post(*, actor: User | None, company: Company, entry_id: int) -> JournalEntry:
    """Post a draft entry: check it, number it gaplessly, chain its hash, make it immutable.

    Twenty clerks posting the same entry at once post it once (the row lock serialises them;
    the losers get StateError, QUALITY C4).
    """
    if actor is not None:
        require(actor, "finance.post", company)
    entry = JournalEntry.objects.select_for_update().filter(pk=entry_id, company=company).first()
    if entry is None:
        raise NotFound("No such entry.")
    if not entry.is_draft():
        raise StateError(f"Entry {entry.number} is already posted.")
    return _post(entry, actor)


def _post(
    entry: JournalEntry,
    actor: User | None,
    lines: Sequence[JournalLine] | None = None,
    date_checked: bool = False,
    locked_journal: Journal | None = None,
) -> JournalEntry:
    company = entry.company
    lines = list(entry.lines.all()) if lines is None else list(lines)
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        raise ValidationFailed(f"The entry does not balance: debit {debit} ≠ credit {credit}.", code="unbalanced")
    if debit == ZERO:
        raise ValidationFailed("The entry has no amounts.", code="empty_entry")
    if not date_checked:
        _check_date(company, entry.date)
    year = fiscal_year_for(company, entry.date)
    if year.is_closed():
        raise ValidationFailed(f"Fiscal year {year.name} is closed.", code="year_closed")
    # The journal row serialises posting in this journal: numbers and the chain stay in step.
    journal = locked_journal or Journal.objects.select_for_update().get(pk=entry.journal_id)
    entry.number = sequence_next(
        company=company, code=f"finance.{journal.code}.{year.start.year}", prefix=f"{journal.code}/{year.start.year}/", padding=5
    )
    entry.chain_position = journal.chain_length + 1
    entry.previous_hash = journal.last_hash or chain.GENESIS
    entry.hash = chain.entry_hash(entry.previous_hash, entry, lines, precision(company.base_currency))
    entry.state = JournalEntry.State.POSTED
    entry.posted_at = timezone.now()
    entry.posted_by = actor if actor is not None and actor.is_authenticated else None
    entry.save(
        update_fields=["number", "chain_position", "previous_hash", "hash", "state", "posted_at", "posted_by", "updated_at"]
    )
    Journal.objects.filter(pk=journal.pk).update(last_hash=entry.hash, chain_length=F("chain_length") + 1)
    _add_to_balances(company.pk, entry.date, lines)
    audit.record(actor=actor, target=entry, action="posted")
    if entry.source:
        # A document's entry (invoice, payment) is announced by the document's own event.
        return entry
    events.publish(
        "finance.entry_posted",
        company=company,
        party=entry.party,
        actor=actor,
        entry_id=entry.pk,
        number=entry.number,
        journal=journal.code,
        date=entry.date.isoformat(),
        amount=str(debit),
        currency=company.base_currency,
    )
    return entry


def _add_to_balances(company_id: int, date: dt.date, lines: Sequence[JournalLine]) -> None:
    """Add a posted entry's lines to the monthly account balances, in one statement."""
    totals: dict[int, list[int]] = {}
    for line in lines:
        units = totals.setdefault(line.account_id, [0, 0])
        units[0] += int(line.debit * UNITS)
        units[1] += int(line.credit * UNITS)
    period = date.replace(day=1)
    table = AccountBalance._meta.db_table
    # Sorted by account: concurrent posts lock balance rows in the same order and cannot deadlock.
    rows = sorted(totals.items())
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list[object] = []
    for account_id, (debit, credit) in rows:
        params += [company_id, account_id, period, debit, credit]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, account_id, period, debit_units, credit_units) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (account_id, period) DO UPDATE SET debit_units = {table}.debit_units + excluded.debit_units, "
            f"credit_units = {table}.credit_units + excluded.credit_units",
            params,
        )


@transaction.atomic
def entry_reverse(
    *, actor: User | None, company: Company, entry_id: int, date: dt.date | None = None, reason: str = ""
) -> JournalEntry:
    """Cancel a posted entry by posting its mirror image, linked to it (QUALITY L4).

    The reversal is dated like the original, or today when the original's date is locked
    (or ``date`` when given). An entry is reversed at most once.
    """
    if actor is not None:
        require(actor, "finance.post", company)
    original = JournalEntry.objects.select_for_update().filter(pk=entry_id, company=company).first()
    if original is None:
        raise NotFound("No such entry.")
    if not original.is_posted():
        raise StateError("Only posted entries are reversed; delete a draft instead.")
    if JournalEntry.objects.filter(reversal_of=original).exists():
        raise StateError(f"Entry {original.number} is already reversed.")
    if date is None:
        date = original.date
        try:
            _check_date(company, date)
            if fiscal_year_for(company, date).is_closed():
                date = timezone.localdate()
        except ValidationFailed:
            date = timezone.localdate()
    mirrored = [
        LineIn(
            account_id=line.account_id,
            debit=line.credit,
            credit=line.debit,
            label=line.label,
            party_id=line.party_id,
            currency=line.currency,
            amount_currency=-line.amount_currency,
            tax_id=line.tax_id,
            tax_base=line.tax_base,  # a magnitude: the side says which way it goes
            cost_centre_id=line.cost_centre_id,
            project_id=line.project_id,
        )
        for line in original.lines.all()
    ]
    reversal = entry_create(
        actor=None,
        company=company,
        journal_id=original.journal_id,
        date=date,
        lines=mirrored,
        reference=original.number,
        memo=(f"Reversal of {original.number}: {reason}" if reason else f"Reversal of {original.number}")[:300],
        party_id=original.party_id,
        source=original.source,
    )
    JournalEntry.objects.filter(pk=reversal.pk).update(reversal_of=original)
    reversal.reversal_of = original
    reversal = _post(reversal, actor)
    events.publish(
        "finance.entry_reversed",
        company=company,
        party=original.party,
        actor=actor,
        entry_id=original.pk,
        number=original.number,
        journal=original.journal.code,
        date=reversal.date.isoformat(),
        amount=str(sum((line.debit for line in original.lines.all()), ZERO)),
        currency=company.base_currency,
        reversal_id=reversal.pk,
        reversal_number=reversal.number,
    )
    return reversal


@transaction.atomic
def entry_delete_draft(*, actor: User, company: Company, entry_id: int) -> None:
    """Delete a draft entry; posted entries are reversed, never deleted."""
    require(actor, "finance.post", company)
    entry = JournalEntry.objects.select_for_update().filter(pk=entry_id, company=company).first()
    if entry is None:
        raise NotFound("No such entry.")
    if not entry.is_draft():
        raise StateError("Posted entries cannot be deleted; reverse them instead.")
    audit.record(actor=actor, target=entry, action="deleted")
    JournalLine.objects.filter(entry=entry).delete()
    entry.delete()


@transaction.atomic
def lock_dates_set(
    *, actor: User | None, company: Company, soft: dt.date | None = None, hard: dt.date | None = None
) -> LedgerSettings:
    """Move the lock dates (QUALITY L5).

    The hard lock never moves back; neither lock may cover a draft entry, which would then be
    impossible to post.
    """
    if actor is not None:
        require(actor, "finance.lock_periods", company)
    settings = LedgerSettings.objects.select_for_update().filter(company=company).first() or _settings(company)
    if hard is not None and settings.hard_lock_date is not None and hard < settings.hard_lock_date:
        raise ValidationFailed(
            f"The hard lock date never moves back (it is {settings.hard_lock_date}).",
            field_errors={"hard": ["Cannot move back."]},
        )
    latest = max(d for d in (soft, hard, dt.date.min) if d is not None)
    drafts = JournalEntry.objects.filter(company=company, state=JournalEntry.State.DRAFT, date__lte=latest).count()
    if drafts:
        raise ValidationFailed(f"{drafts} draft entries are dated on or before {latest}; post or delete them first.")
    before = audit.snapshot(settings, ["soft_lock_date", "hard_lock_date"])
    if soft is not None:
        settings.soft_lock_date = soft
    if hard is not None:
        settings.hard_lock_date = hard
    settings.save()
    audit.record(
        actor=actor,
        target=settings,
        action="lock_dates_set",
        changes=audit.diff(before, audit.snapshot(settings, ["soft_lock_date", "hard_lock_date"])),
        company_id=company.pk,
    )
    return settings
