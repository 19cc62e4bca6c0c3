"""Commands of the inventory app; other apps call these and never write inventory tables.

The modules below group the services by subject; import them from here.
"""

from spona.back.inventory.services.adjustments import CountIn, inventory_count_apply, scrap
from spona.back.inventory.services.locations import location_create, locations_setup, warehouse_create
from spona.back.inventory.services.opening import OpeningValuation, valuation_open
from spona.back.inventory.services.products import (
    ProductInput,
    TemplateInput,
    attribute_create,
    category_create,
    category_update,
    convert_quantity,
    product_create,
    product_update,
    supplier_info_set,
    template_add_values,
    template_create,
    uom_category_create,
    uom_create,
)
from spona.back.inventory.services.stock import (
    InsufficientStock,
    move_cancel,
    move_create,
    move_done,
    reservation_consume,
    reservation_create,
    reservation_release,
)
from spona.back.inventory.services.transfers import (
    TransferLineIn,
    transfer_cancel,
    transfer_confirm,
    transfer_create,
    transfer_validate,
)

__all__ = [
    "CountIn",
    "InsufficientStock",
    "OpeningValuation",
    "ProductInput",
    "TemplateInput",
    "TransferLineIn",
    "attribute_create",
    "category_create",
    "category_update",
    "convert_quantity",
    "inventory_count_apply",
    "location_create",
    "locations_setup",
    "move_cancel",
    "move_create",
    "move_done",
    "product_create",
    "product_update",
    "reservation_consume",
    "reservation_create",
    "reservation_release",
    "scrap",
    "supplier_info_set",
    "template_add_values",
    "template_create",
    "transfer_cancel",
    "transfer_confirm",
    "transfer_create",
    "transfer_validate",
    "uom_category_create",
    "uom_create",
    "valuation_open",
    "warehouse_create",
]
