"""What the finance views share: the caller, amount formats, breadcrumbs and tiny parsers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.core.models import Company, User
from spona.core.money import precision

SIDES = {
    "sale": {"title": _("Customer invoices"), "list": "finance:invoice_list", "create": "finance:invoice_create"},
    "purchase": {"title": _("Vendor bills"), "list": "finance:bill_list", "create": "finance:bill_create"},
}


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def amount_format(currency: str) -> str:
    """The ``floatformat`` argument that shows amounts of ``currency`` with its minor digits, grouped."""
    return f"{precision(currency)}g"


def side_crumb(side: str) -> tuple[Any, str]:
    return SIDES[side]["title"], reverse(SIDES[side]["list"])


def side_of(kind: str) -> str:
    return "sale" if kind in ("out_invoice", "out_refund") else "purchase"


def bounded_index(value: str | None, upper: int) -> int:
    """A formset row index from the client, kept within 0 … ``upper``."""
    try:
        return min(max(int(value or 0), 0), upper)
    except ValueError:
        return 0


def parse_id(value: Any) -> int:
    """A record id from the client, or 0 when it is none."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0
