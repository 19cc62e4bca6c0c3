"""How production orders are found and started from anywhere: by number, product, reference and customer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from spona.back.production.models import ProductionOrder
from spona.core import search
from spona.web import palette
from spona.web.palette import PaletteAction


def _order_subtitle(order: ProductionOrder) -> str:
    return " · ".join((order.product.name, f"{order.quantity.normalize():f}", str(order.get_state_display())))


def _order_text(order: ProductionOrder) -> str:
    return " ".join((order.product.sku, order.reference, order.party.name if order.party_id else ""))


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="production.order",
            label=_("Production orders"),
            model=ProductionOrder,
            permission="production.view",
            url_name="production:order_detail",
            title=lambda order: order.number,
            subtitle=_order_subtitle,
            text=_order_text,
            queryset=lambda qs: qs.select_related("product", "party"),
            icon="gear-wide-connected",
        )
    )
    palette.register(
        PaletteAction(
            _("New production order"),
            "production:order_create",
            "production.manage",
            icon="gear-wide-connected",
            keywords="make build",
        ),
    )
