"""Reads of dated exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from spona.core.errors import ValidationFailed
from spona.core.models import Company, ExchangeRate


def exchange_rate_on(*, company: Company, currency: str, on: dt.date) -> Decimal:
    """Units of the company's base currency per unit of ``currency``: the latest rate on or before ``on``.

    Raises ValidationFailed when no rate is known by then, rather than guessing one.
    """
    if currency == company.base_currency:
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(company=company, currency=currency, rate_date__lte=on)
        .order_by("-rate_date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationFailed(
            f"No exchange rate for {currency} on or before {on.isoformat()}; record one first.",
            field_errors={"currency": [f"No {currency} rate by {on.isoformat()}."]},
        )
    return rate
