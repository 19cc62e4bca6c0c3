"""The menu, grouped Front office / Back office / Bridge / Administration, filtered by the user's roles.

Each domain app adds its entries with ``register()`` from its AppConfig.ready(); an entry
shows for a user holding its permission in the current company. Detail pages are not menu
entries: they are reached from their lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.core.permissions import has_perm

SECTIONS = (("front", _("Front office")), ("back", _("Back office")), ("bridge", _("Bridge")), ("admin", _("Administration")))


@dataclass(frozen=True)
class MenuEntry:
    """One link of the side navigation: shown to users holding ``permission`` in the current company."""

    section: str
    label: Any
    url_name: str
    permission: str
    icon: str = "circle"
    order: int = 100


ENTRIES: list[MenuEntry] = []


def register(*entries: MenuEntry) -> None:
    """Add menu entries (idempotent, so a repeated ready() does not duplicate them)."""
    for entry in entries:
        if entry.section not in dict(SECTIONS):
            raise ValueError(f"Unknown menu section {entry.section!r}.")
        if entry not in ENTRIES:
            ENTRIES.append(entry)


def menu_for(user: Any, company: Any, path: str = "") -> list[dict[str, Any]]:
    """Return the sections with the entries this user may open in ``company``.

    An entry is marked ``active`` when ``path`` lies under its URL, so the menu shows where
    the user is on detail and form pages too.
    """
    if company is None:
        return []
    sections = []
    for key, label in SECTIONS:
        items = []
        for e in sorted(ENTRIES, key=lambda e: (e.order, str(e.label))):
            if e.section != key or not has_perm(user, e.permission, company):
                continue
            url = reverse(e.url_name)
            items.append({"label": e.label, "url": url, "icon": e.icon, "url_name": e.url_name, "active": path.startswith(url)})
        if items:
            sections.append({"key": key, "label": label, "items": items})
    return sections
