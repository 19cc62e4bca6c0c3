"""The bell of the top bar: ``{% load notifications %}{% notification_bell %}``.

It costs the page no query: the user's roles are known already (the menu looked them up),
and the unread count comes with the bell's own htmx request (``views.bell``, one COUNT).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from spona.core.permissions import has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context: dict[str, Any]) -> SafeString | str:
    """The link to the inbox that fetches its count; nothing for people without an inbox (portal users)."""
    request = context["request"]
    company = getattr(request, "company", None)
    if company is None or not has_perm(request.user, "notifications.use", company):
        return ""
    return render_to_string("notifications/partials/_bell.html", {"unread": None}, request=request)
