"""The command palette's "create" actions; records come from global search, pages from the menu.

Apps register what a user may start from anywhere (``register(PaletteAction(...))`` in their
AppConfig.ready()); the palette shows an action to users holding its permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.core import search
from spona.core.permissions import has_perm
from spona.web.navigation import menu_for


@dataclass(frozen=True)
class PaletteAction:
    """A "create" shortcut: ``label`` links to ``url_name`` for users holding ``permission``."""

    label: Any
    url_name: str
    permission: str
    icon: str = "plus-lg"
    keywords: str = ""


ACTIONS: list[PaletteAction] = []


def register(*actions: PaletteAction) -> None:
    """Add palette actions (idempotent, so a repeated ready() does not duplicate them)."""
    for action in actions:
        if action not in ACTIONS:
            ACTIONS.append(action)


def _matches(words: list[str], *texts: Any) -> bool:
    haystack = search.fold(" ".join(str(t) for t in texts))
    return all(word in haystack for word in words)


def results(*, user: Any, company: Any, query: str, limit: int = 8) -> dict[str, list[dict[str, Any]]]:
    """What the palette offers for ``query``: matching pages, create actions and records."""
    words = search.fold(query).split()
    pages = [
        {"label": item["label"], "url": item["url"], "icon": item["icon"], "group": section["label"]}
        for section in menu_for(user, company)
        for item in section["items"]
        if words and _matches(words, item["label"], section["label"])
    ]
    actions = [
        {"label": a.label, "url": reverse(a.url_name), "icon": a.icon}
        for a in ACTIONS
        if has_perm(user, a.permission, company) and (not words or _matches(words, a.label, a.keywords, _("new create")))
    ]
    records = [
        {"label": hit.title, "detail": hit.subtitle, "url": hit.url, "icon": hit.icon, "group": hit.label}
        for hit in search.search(user=user, company=company, query=query, limit=limit)
    ]
    return {"pages": pages[:limit], "actions": actions[:limit], "records": records}
