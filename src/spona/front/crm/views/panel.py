"""The CRM panel of the 360° party page: open opportunities and recent activities."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.core.models import Party
from spona.core.money import precision
from spona.front.crm import selectors


def crm_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """Context of the pipeline panel; hidden for a party the CRM knows nothing about."""
    summary = selectors.party_summary(user=request.user, company=request.company, party_id=party.pk)  # type: ignore[arg-type,attr-defined]
    if not summary.open_opportunities and not summary.recent_activities:
        return None
    currency = request.company.base_currency  # type: ignore[attr-defined]
    return {"summary": summary, "currency": currency, "fmt": f"{precision(currency)}g"}
