"""What the purchasing views share: the caller, breadcrumbs and the cursor-free query."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from spona.core.models import Company, User


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def crumbs(section: str, *items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    sections = {
        "orders": (_("Purchase orders"), reverse("purchasing:order_list")),
        "rules": (_("Reorder rules"), reverse("purchasing:rule_list")),
        "replenishment": (_("Replenishment"), reverse("purchasing:replenishment")),
        "performance": (_("Supplier performance"), reverse("purchasing:performance")),
    }
    return [sections[section], *items]


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()
