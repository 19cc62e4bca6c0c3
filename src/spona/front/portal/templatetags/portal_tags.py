"""Template helpers of the portal's pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from spona.core.money import precision

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    """Show an amount with its currency's minor digits, grouped: 1,234.50 EUR, 1,200 JPY."""
    if value is None:
        return ""
    return f"{floatformat(value, f'{precision(currency)}g')} {currency}"


@register.filter
def qty(value: Decimal | None) -> str:
    """Show a quantity without trailing zeros: 7, 2.5."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text
