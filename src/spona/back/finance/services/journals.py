"""Journals other apps keep their entries in."""

from __future__ import annotations

from spona.back.finance.models import Account, Journal
from spona.core.db import service_atomic
from spona.core.models import Company


@service_atomic
def journal_ensure(*, company: Company, code: str, name: str) -> int | None:
    """Return the id of the company's general journal ``code``, creating it when missing.

    Other apps (the stock journal ``STK`` of inventory) keep their entries in a book of their
    own this way. Returns None while the company has no chart of accounts: a ledger that is
    not set up takes no entries.
    """
    # A journal exists only in a company whose ledger was set up: look for it first, the chart after.
    found = Journal.objects.filter(company=company, code=code).values_list("pk", flat=True).first()
    if found is not None:
        return found
    if not Account.objects.filter(company=company).exists():
        return None
    journal, _ = Journal.objects.get_or_create(
        company=company, code=code, defaults={"name": name[:100], "kind": Journal.Kind.GENERAL}
    )
    return journal.pk
