"""Template context every page of the shell needs: the current company and the menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from spona.web.navigation import menu_for


def shell(request: HttpRequest) -> dict[str, Any]:
    company = getattr(request, "company", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_company": None, "menu": []}
    return {"current_company": company, "menu": menu_for(user, company)}
