"""What the CRM views share: the caller, breadcrumbs, amount format and small parsers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from spona.core.models import Company, User
from spona.core.money import precision


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def amount_format(currency: str) -> str:
    """The ``floatformat`` argument that shows amounts of ``currency`` with its minor digits, grouped."""
    return f"{precision(currency)}g"


def crumbs(section: str, *items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    sections = {
        "leads": (_("Leads"), reverse("crm:lead_list")),
        "opportunities": (_("Opportunities"), reverse("crm:opportunity_list")),
        "teams": (_("Teams & rules"), reverse("crm:team_list")),
    }
    return [sections[section], *items]


def parse_id(value: Any) -> int:
    """A record id from the client, or 0 when it is none."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()
