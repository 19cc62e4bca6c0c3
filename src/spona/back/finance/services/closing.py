"""Year-end close (QUALITY L6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.back.finance.models import Account, BankStatementLine, FiscalYear, Journal, JournalEntry, LedgerSettings
from spona.back.finance.selectors.ledger import account_totals, trial_balance
from spona.back.finance.services.entries import LineIn, entry_create, fiscal_year_for
from spona.core import audit
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

ZERO = Decimal(0)


@transaction.atomic
def fiscal_year_close(*, actor: User | None, company: Company, year_id: int) -> FiscalYear:
    """Close a fiscal year: move its result to retained earnings, keep a trial balance, lock it for good.

    Refuses while the year has draft entries or unreconciled bank lines, or an earlier year is
    still open. The closing
    entry zeroes every income and expense account on the last day; the trial balance after
    it is stored with the year, and the hard lock date moves to the year's end.
    """
    if actor is not None:
        require(actor, "finance.lock_periods", company)
    year = FiscalYear.objects.select_for_update().filter(pk=year_id, company=company).first()
    if year is None:
        raise NotFound("No such fiscal year.")
    if year.is_closed():
        raise StateError(f"Fiscal year {year.name} is already closed.")
    if FiscalYear.objects.filter(company=company, end__lt=year.start, closed_at__isnull=True).exists():
        raise StateError("Close the earlier fiscal years first.")
    drafts = JournalEntry.objects.filter(
        company=company, state=JournalEntry.State.DRAFT, date__gte=year.start, date__lte=year.end
    ).count()
    if drafts:
        raise ValidationFailed(
            f"{drafts} draft entries are dated in {year.name}; post or delete them before closing.", code="drafts_open"
        )
    unreconciled = BankStatementLine.objects.filter(
        statement__company=company, entry__isnull=True, date__gte=year.start, date__lte=year.end
    ).count()
    if unreconciled:
        raise ValidationFailed(
            f"{unreconciled} bank statement lines of {year.name} are not reconciled yet.", code="bank_lines_open"
        )
    retained = (
        Account.objects.filter(company=company, role=Account.Role.RETAINED_EARNINGS, is_active=True).order_by("code").first()
    )
    journal = Journal.objects.filter(company=company, kind=Journal.Kind.GENERAL, is_active=True).order_by("code").first()
    if retained is None or journal is None:
        raise ValidationFailed("A retained earnings account and a general journal are needed to close the year.")
    totals = account_totals(company=company, date_from=year.start, date_to=year.end)
    pl_accounts = dict(
        Account.objects.filter(company=company, type__in=["income", "expense"], pk__in=totals).values_list("pk", "code")
    )
    lines = []
    result = ZERO
    for account_id in sorted(pl_accounts, key=pl_accounts.get):
        debit, credit = totals[account_id]
        balance = debit - credit
        if balance:
            lines.append(
                LineIn(account_id=account_id, debit=max(-balance, ZERO), credit=max(balance, ZERO), label=f"Closing {year.name}")
            )
            result -= balance
    if lines:
        lines.append(
            LineIn(account_id=retained.pk, debit=max(-result, ZERO), credit=max(result, ZERO), label=f"Result {year.name}")
        )
        entry_create(
            actor=None,
            company=company,
            journal_id=journal.pk,
            date=year.end,
            lines=lines,
            reference=f"CLOSE {year.name}",
            memo=f"Year-end close {year.name}: result to retained earnings",
            source=f"finance.fiscal_year:{year.pk}",
            post=True,
        )
    snapshot = [
        {"account": row.code, "name": row.name, "debit": str(row.debit), "credit": str(row.credit)}
        for row in trial_balance(user=None, company=company, date_from=year.start, date_to=year.end)
    ]
    year.closed_at = timezone.now()
    year.trial_balance = snapshot
    year.save(update_fields=["closed_at", "trial_balance", "updated_at"])
    settings, _ = LedgerSettings.objects.select_for_update().get_or_create(company=company)
    if settings.hard_lock_date is None or settings.hard_lock_date < year.end:
        settings.hard_lock_date = year.end
        settings.save(update_fields=["hard_lock_date"])
    audit.record(actor=actor, target=year, action="closed", changes={"result": [None, str(result)]})
    return year


def fiscal_year_of(*, company: Company, day: dt.date) -> FiscalYear:
    """The fiscal year containing ``day`` (created from the company's start month when missing)."""
    return fiscal_year_for(company, day)
