"""The sales panel of the 360° party page: open quotations, orders in flight, open balance, lifetime value."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.back.finance.selectors.sales import customer_exposure
from spona.core.models import Party
from spona.core.money import precision
from spona.front.sales import selectors


def sales_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """Context of the sales panel; hidden for a party that never bought or was offered anything."""
    company = request.company  # type: ignore[attr-defined]
    summary = selectors.party_sales(user=request.user, company=company, party_id=party.pk)  # type: ignore[arg-type]
    if not summary.quotations and not summary.orders and not summary.lifetime_value:
        return None
    from django.utils import timezone

    exposure = customer_exposure(company=company, party_id=party.pk, on=timezone.localdate())
    currency = company.base_currency
    return {"summary": summary, "exposure": exposure, "currency": currency, "fmt": f"{precision(currency)}g"}
