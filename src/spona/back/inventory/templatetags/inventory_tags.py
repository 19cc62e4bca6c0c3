"""Template helpers of the inventory screens."""

from __future__ import annotations

from decimal import Decimal

from django import template

from spona.back.inventory.services.stock import fmt

register = template.Library()


@register.filter
def qty(value: Decimal | None) -> str:
    """Show a quantity without trailing zeros: 7, 2.5, 0.125."""
    if value is None:
        return ""
    return fmt(Decimal(value))
