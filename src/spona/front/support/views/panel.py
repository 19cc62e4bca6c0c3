"""The support panel of the 360° party page: open tickets and their SLA state."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from spona.core.models import Party
from spona.front.support import selectors


def support_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """Context of the panel; hidden for a party without open tickets."""
    summary = selectors.party_summary(user=request.user, company=request.company, party=party)  # type: ignore[arg-type,attr-defined]
    if not summary.open_count:
        return None
    now = timezone.now()
    return {"summary": summary, "rows": [(t, t.sla_state(now)) for t in summary.open_tickets]}
