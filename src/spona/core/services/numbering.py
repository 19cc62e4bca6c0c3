"""Services for gapless number sequences and dated exchange rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

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
    taken = _take(company_id, code)
    if taken is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(company_id=company_id, code=code, prefix=prefix, padding=padding)
        except IntegrityError:
            pass  # created by a concurrent caller; take from theirs below
        taken = _take(company_id, code)
        assert taken is not None
    number, series_prefix, series_padding = taken
    return Sequence(prefix=series_prefix, padding=series_padding).format(number)


def _take(company_id: int, code: str) -> tuple[int, str, int] | None:
    """Move the series on by one and return the number taken with the series' format, or None when
    there is no such series.

    One statement (PostgreSQL and SQLite both return from an UPDATE): the UPDATE locks the row
    until the caller's transaction ends, as SELECT … FOR UPDATE followed by the UPDATE did.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_sequence SET next_number = next_number + 1 WHERE company_id = %s AND code = %s "
            "RETURNING next_number - 1, prefix, padding",
            [company_id, code],
        )
        row = cursor.fetchone()
    return (int(row[0]), row[1], int(row[2])) if row else None


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
