"""What the support views share: the caller, breadcrumbs and choice lists."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from spona.core.models import Company, Party, User
from spona.core.permissions import has_perm
from spona.front.support.models import Queue


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def crumbs(section: str, *items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    sections = {
        "tickets": (_("Tickets"), reverse("support:ticket_list")),
        "chats": (_("Live chats"), reverse("support:chat_list")),
        "articles": (_("Knowledge base"), reverse("support:article_list")),
        "reports": (_("Support reports"), reverse("support:reports")),
    }
    return [sections[section], *items]


def queue_choices(company: Company) -> list[tuple[int, str]]:
    return list(Queue.objects.filter(company=company).values_list("pk", "name"))


def agent_choices(company: Company) -> list[tuple[int, str]]:
    users = User.objects.filter(memberships__company=company, is_active=True).distinct().order_by("full_name")
    return [(u.pk, u.full_name) for u in users if has_perm(u, "support.manage", company)]


def party_choices(company: Company) -> list[tuple[int, str]]:
    return list(Party.objects.filter(company=company, merged_into__isnull=True).order_by("name").values_list("pk", "name")[:500])


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()
