"""How purchase orders are found and started from anywhere: by number, supplier and the supplier's reference."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from spona.back.purchasing.models import PurchaseOrder
from spona.core import search
from spona.web import palette
from spona.web.palette import PaletteAction


def _order_subtitle(order: PurchaseOrder) -> str:
    return " · ".join((order.supplier.name, str(order.get_state_display()), f"{order.total} {order.currency}"))


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="purchasing.order",
            label=_("Purchase orders"),
            model=PurchaseOrder,
            permission="purchasing.view",
            url_name="purchasing:order_detail",
            title=lambda order: order.number,
            subtitle=_order_subtitle,
            text=lambda order: order.supplier_reference,
            queryset=lambda qs: qs.select_related("supplier"),
            icon="cart",
        )
    )
    palette.register(
        PaletteAction(
            _("New purchase order"), "purchasing:order_create", "purchasing.manage", icon="cart-plus", keywords="rfq buy"
        ),
    )
