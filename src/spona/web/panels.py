"""Panels of the 360° page: each app adds what it knows about a party without editing the page.

A panel is a template and a context function taking ``(request, party)``. The page renders
the panels the user may see in ``order``; a context function returning None hides its panel
for that party (nothing to show). Register panels from an AppConfig.ready():

    panels.register(Panel("finance.balance", "finance/partials/_party_balance.html", balance_context, order=20,
                          permission="finance.view_invoice"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from spona.core.models import Party
from spona.core.permissions import has_perm

ContextFunction = Callable[[HttpRequest, Party], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    """A section of the 360° page; ``template`` receives the context as ``data`` and the ``party``."""

    name: str
    template: str
    context: ContextFunction
    order: int = 100
    permission: str = "core.view_party"


PANELS: dict[str, Panel] = {}


def register(*panels: Panel) -> None:
    """Add panels by name; registering a name again replaces the panel (reloads stay idempotent)."""
    for panel in panels:
        PANELS[panel.name] = panel


def panels_for(request: HttpRequest, party: Party) -> list[dict[str, Any]]:
    """Return the panels to render for this party, in order, each with its context."""
    company = request.company  # type: ignore[attr-defined]
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.name)):
        if not has_perm(request.user, panel.permission, company):  # type: ignore[arg-type]
            continue
        data = panel.context(request, party)
        if data is not None:
            shown.append({"name": panel.name, "template": panel.template, "data": data})
    return shown
