"""What the automation views share: the caller and breadcrumbs."""

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
        "approvals": (_("Approvals"), "automation:approval_inbox"),
        "policies": (_("Approval policies"), "automation:policy_list"),
        "webhooks": (_("Webhooks"), "automation:webhook_list"),
        "rules": (_("Automation rules"), "automation:rule_list"),
    }
    label, url_name = sections[section]
    return [(label, reverse(url_name)), *items]
