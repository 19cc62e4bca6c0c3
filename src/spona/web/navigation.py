"""The menu, grouped Front office / Back office / Bridge, filtered by the user's roles.

Each domain app adds its entries with ``register()`` from its AppConfig.ready(); an entry
shows for a user holding its permission in the current company.
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
    section: str
    label: Any
    url_name: str
    permission: str
    icon: str = "circle"
    order: int = 100


ENTRIES: list[MenuEntry] = []


def register(*entries: MenuEntry) -> None:
    for entry in entries:
        if entry.section not in dict(SECTIONS):
            raise ValueError(f"Unknown menu section {entry.section!r}.")
        if entry not in ENTRIES:
            ENTRIES.append(entry)


def menu_for(user: Any, company: Any) -> list[dict[str, Any]]:
    """Return the sections with the entries this user may open in ``company``."""
    if company is None:
        return []
    sections = []
    for key, label in SECTIONS:
        items = [
            {"label": e.label, "url": reverse(e.url_name), "icon": e.icon, "url_name": e.url_name}
            for e in sorted(ENTRIES, key=lambda e: (e.order, str(e.label)))
            if e.section == key and has_perm(user, e.permission, company)
        ]
        if items:
            sections.append({"key": key, "label": label, "items": items})
    return sections
