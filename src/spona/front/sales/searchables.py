"""How sales documents are found and started from anywhere: quotations and orders by number and customer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spona.core import search
from spona.front.sales.models import Order, Quotation
from spona.web import palette
from spona.web.palette import PaletteAction


def _with_party(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.select_related("party")


def _subtitle(document: Quotation | Order) -> str:
    return " · ".join((document.party.name, str(document.get_status_display()), f"{document.total} {document.currency}"))


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="sales.quotation",
            label=_("Quotations"),
            model=Quotation,
            permission="sales.view",
            url_name="sales:quotation_detail",
            title=lambda quotation: quotation.number,
            subtitle=_subtitle,
            queryset=_with_party,
            icon="file-earmark-text",
        ),
    )
    search.register(
        search.SearchKind(
            name="sales.order",
            label=_("Sales orders"),
            model=Order,
            permission="sales.view",
            url_name="sales:order_detail",
            title=lambda order: order.number,
            subtitle=_subtitle,
            text=lambda order: order.quotation.number if order.quotation_id else "",
            queryset=lambda qs: qs.select_related("party", "quotation"),
            icon="cart",
        )
    )
    palette.register(
        PaletteAction(
            _("New quotation"), "sales:quotation_create", "sales.manage", icon="file-earmark-plus", keywords="offer quote"
        ),
    )
