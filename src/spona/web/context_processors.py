"""Template context every page of the shell needs: the current company, the companies to switch to, the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.core import selectors
from spona.web.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """Give templates ``current_company``, ``companies`` (for the switcher) and ``menu``."""
    company = getattr(request, "company", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_company": None, "companies": [], "menu": []}
    return {
        "current_company": company,
        # Lazy: evaluated only by pages that draw the switcher.
        "companies": selectors.company_list(user=user),
        "menu": menu_for(user, company, request.path),
    }
