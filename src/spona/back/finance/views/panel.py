"""The finance panel of the 360° party page: what the customer owes, and what is overdue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.back.finance import selectors_ui
from spona.back.finance.views.common import amount_format, caller
from spona.core.models import Party
from spona.web.views.base import can


def balance_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """Context of the customer balance panel; hidden for a party with no invoices or open items."""
    user, company = caller(request)
    balance = selectors_ui.customer_balance(user=user, company=company, party_id=party.pk)
    if not balance.receivable and not balance.overdue:
        return None
    return {
        "balance": balance,
        "fmt": amount_format(balance.currency),
        "overdue": [
            {"invoice": inv, "residual": selectors_ui.residual_of(inv), "fmt": amount_format(inv.currency)}
            for inv in balance.overdue
        ],
        # Sales sees the amounts; the documents themselves open for those who may read the ledger.
        "can_open": can(request, "finance.view_ledger"),
    }
