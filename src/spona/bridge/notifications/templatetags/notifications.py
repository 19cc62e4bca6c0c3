"""The bell of the top bar: ``{% load notifications %}{% notification_bell %}`` (one COUNT query)."""

from __future__ import annotations

from typing import Any

from django import template

from spona.bridge.notifications import selectors
from spona.core.permissions import has_perm

register = template.Library()


@register.inclusion_tag("notifications/partials/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The link to the inbox with the number of unread notifications; nothing for people without an inbox."""
    request = context["request"]
    company = getattr(request, "company", None)
    if company is None or not has_perm(request.user, "notifications.use", company):
        return {"show": False}
    return {"show": True, "unread": selectors.unread_count(user=request.user, company=company)}
