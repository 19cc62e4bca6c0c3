"""The purchasing panel of the 360° party page: a supplier's latest orders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.back.purchasing import selectors
from spona.core.models import Party


def supplier_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """Context of the panel; hidden for a party purchasing never bought from."""
    orders = selectors.supplier_orders(user=request.user, company=request.company, party_id=party.pk)  # type: ignore[arg-type,attr-defined]
    return {"orders": orders} if orders else None
