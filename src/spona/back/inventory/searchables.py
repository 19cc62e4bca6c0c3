"""How products are found and started from anywhere: by name, SKU (code) and barcode."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from spona.back.inventory.models import Product
from spona.core import search
from spona.web import palette
from spona.web.palette import PaletteAction


def _product_subtitle(product: Product) -> str:
    inactive = _("inactive") if not product.is_active else ""
    return " · ".join(part for part in (product.sku, product.barcode, str(product.get_kind_display()), str(inactive)) if part)


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="inventory.product",
            label=_("Products"),
            model=Product,
            permission="inventory.view",
            url_name="inventory:product_detail",
            title=lambda product: product.name,
            subtitle=_product_subtitle,
            icon="box-seam",
        )
    )
    palette.register(
        PaletteAction(
            _("New product"), "inventory:product_create", "inventory.manage", icon="box-seam", keywords="item article sku"
        ),
    )
