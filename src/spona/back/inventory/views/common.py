"""What the inventory views share: the caller, breadcrumbs, paged reads and tiny parsers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.selectors import Page

PAGE_SIZE = 25


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def crumb(name: str) -> tuple[Any, str]:
    """A breadcrumb to one of the inventory lists."""
    labels = {
        "product_list": _("Products"),
        "stock_list": _("Stock"),
        "transfer_list": _("Transfers"),
        "move_list": _("Moves"),
        "warehouse_list": _("Warehouses & locations"),
        "count_list": _("Counts"),
    }
    return labels[name], reverse(f"inventory:{name}")


def parse_id(value: Any) -> int:
    """A record id from the client, or 0 when it is none."""
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def page_or_empty(request: HttpRequest, read: Callable[..., Page], **kwargs: Any) -> Page:
    """Run a paged read; a refused filter (a broken cursor, reversed dates) shows its message and no rows."""
    try:
        return read(**kwargs)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return Page(items=[], next_cursor=None)


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def is_partial(request: HttpRequest) -> bool:
    """Tell whether htmx asked for the results alone (live filters), not a whole page."""
    return bool(request.htmx and not request.htmx.boosted)  # type: ignore[attr-defined]
