"""Services for gapless number sequences and dated exchange rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from spona.core import audit
from spona.core.models import (
    Company,
    ExchangeRate,
    Sequence,
    User,
)
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise

# Sequences and exchange rates ---------------------------------------------------------------


def sequence_next(*, company: Company | int, code: str, prefix: str = "", padding: int = 5) -> str:
    """Take the next number of a gapless series, inside the caller's transaction (QUALITY N1).

    The series row stays locked until the caller commits, so concurrent callers queue; if the
    caller rolls back, the number is given back with it. Call it last, just before the
    document is saved, so the lock is held briefly.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number.")
    company_id = company if isinstance(company, int) else company.pk
    sequence = Sequence.objects.select_for_update().filter(company_id=company_id, code=code).first()
    if sequence is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(company_id=company_id, code=code, prefix=prefix, padding=padding)
        except IntegrityError:
            pass  # created by a concurrent caller; lock theirs below
        sequence = Sequence.objects.select_for_update().get(company_id=company_id, code=code)
    number = sequence.next_number
    Sequence.objects.filter(pk=sequence.pk).update(next_number=F("next_number") + 1)
    return sequence.format(number)


@transaction.atomic
def exchange_rate_set(*, actor: User | None, company: Company, currency: str, rate_date: date, rate: Decimal) -> ExchangeRate:
    """Record (or correct) the rate of ``currency`` in the company's base currency on a day."""
    if actor is not None:
        require(actor, "core.manage_company", company)
    if isinstance(rate, float):
        raise TypeError("Exchange rates must be Decimal.")
    obj = ExchangeRate.objects.filter(company=company, currency=currency, rate_date=rate_date).first() or ExchangeRate(
        company=company, currency=currency, rate_date=rate_date
    )
    before = audit.snapshot(obj, ["rate"]) if obj.pk else {"rate": None}
    obj.rate = rate
    full_clean_or_raise(obj, exclude=["company"])
    obj.save()
    audit.record(
        actor=actor,
        target=obj,
        action="rate_set",
        changes=audit.diff(before, audit.snapshot(obj, ["rate"])),
        company_id=company.pk,
    )
    return obj
