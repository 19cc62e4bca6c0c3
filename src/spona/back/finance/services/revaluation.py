"""Period-end revaluation of open foreign-currency items (QUALITY L8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from spona.back.finance.models import Account, Journal, JournalEntry, JournalLine
from spona.back.finance.selectors.ledger import line_open_amounts
from spona.back.finance.services.entries import LineIn, entry_create, entry_reverse
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.money import round_amount
from spona.core.permissions import require
from spona.core.selectors import exchange_rate_on

ZERO = Decimal(0)


@transaction.atomic
def fx_revaluation(*, actor: User | None, company: Company, on: dt.date) -> JournalEntry | None:
    """Restate open foreign-currency receivables and payables at the rate of ``on``, reversed the next day.

    For each account, partner and currency, the open amount in currency times the rate of
    ``on``, less what it stands at in the books, is posted against unrealised exchange gain or
    loss on ``on``; a reversing entry dated the day after puts the books back, so that the
    difference realised at payment is not counted twice. Returns the revaluation entry, or None
    when nothing is open in a foreign currency.
    """
    if actor is not None:
        require(actor, "finance.lock_periods", company)
    lines = list(
        JournalLine.objects.filter(
            company=company, account__reconcilable=True, entry__state=JournalEntry.State.POSTED, date__lte=on
        )
        .exclude(currency="")
        .exclude(currency=company.base_currency)
        .exclude(entry__source__startswith="finance.revaluation")
        .values_list("pk", "account_id", "party_id", "currency", "debit")
    )
    opens = line_open_amounts([pk for pk, *_ in lines])
    groups: dict[tuple[int, int | None, str], list[Decimal]] = {}
    for pk, account_id, party_id, currency, debit in lines:
        open_company, open_currency = opens[pk]
        sign = 1 if debit > 0 else -1
        totals = groups.setdefault((account_id, party_id, currency), [ZERO, ZERO])
        totals[0] += sign * open_company
        totals[1] += sign * open_currency
    entry_lines: list[LineIn] = []
    net = ZERO
    for (account_id, party_id, currency), (booked, in_currency) in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2])
    ):
        target = round_amount(
            in_currency * exchange_rate_on(company=company, currency=currency, on=on), company.base_currency, company.rounding
        )
        difference = target - booked
        if difference:
            entry_lines.append(
                LineIn(
                    account_id=account_id,
                    party_id=party_id,
                    currency=currency,
                    debit=max(difference, ZERO),
                    credit=max(-difference, ZERO),
                    label=f"Revaluation of {currency} at {on.isoformat()}",
                )
            )
            net += difference
    if not entry_lines:
        return None
    role = Account.Role.FX_GAIN if net > 0 else Account.Role.FX_LOSS
    result_account = Account.objects.filter(company=company, role=role, is_active=True).order_by("code").first()
    journal = Journal.objects.filter(company=company, kind=Journal.Kind.FX_REVALUATION, is_active=True).order_by("code").first()
    if result_account is None or journal is None:
        raise ValidationFailed("An exchange revaluation journal and exchange gain and loss accounts are needed.")
    entry_lines.append(
        LineIn(account_id=result_account.pk, debit=max(-net, ZERO), credit=max(net, ZERO), label="Unrealised exchange difference")
    )
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal.pk,
        date=on,
        lines=entry_lines,
        reference=f"FX {on.isoformat()}",
        memo=f"Revaluation of open foreign-currency items at {on.isoformat()}",
        source=f"finance.revaluation:{on.isoformat()}",
        post=True,
    )
    entry_reverse(
        actor=None,
        company=company,
        entry_id=entry.pk,
        date=on + dt.timedelta(days=1),
        reason="automatic reversal of the revaluation",
    )
    return entry
