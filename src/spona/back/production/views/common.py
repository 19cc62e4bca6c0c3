"""What the production views share: the caller, breadcrumbs and the product lookup by SKU."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

import spona.back.inventory.selectors as inventory_selectors
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def crumbs(section: str, *items: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    sections = {
        "orders": (_("Production orders"), reverse("production:order_list")),
        "boms": (_("Bills of materials"), reverse("production:bom_list")),
        "centres": (_("Work centres"), reverse("production:work_centre_list")),
    }
    return [sections[section], *items]


def product_id_for(user: User, company: Company, code: str, field: str) -> int:
    """The id of the product with this barcode or SKU; ValidationFailed on ``field`` when there is none."""
    try:
        return inventory_selectors.product_by_barcode(user=user, company=company, barcode=code).pk
    except NotFound:
        raise ValidationFailed(_("No product %(code)s.") % {"code": code}, field_errors={field: [_("Unknown SKU.")]}) from None


def query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()
