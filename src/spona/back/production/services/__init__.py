"""Commands of the production app: the only code that changes BoMs, work centres and orders.

Other apps import this package (``from spona.back.production import services``); sales calls
``production_order_for_demand`` for an order line that has no stock.
"""

from spona.back.production.services.boms import (
    BomInput,
    BomLineInput,
    BomOperationInput,
    WorkCentreInput,
    bom_activate,
    bom_create,
    check_no_cycle,
    explode,
    product_route_set,
    route_of,
    work_centre_create,
    work_centre_update,
)
from spona.back.production.services.orders import (
    production_order_cancel,
    production_order_confirm,
    production_order_create,
    production_order_finish,
    production_order_for_demand,
    production_order_produce,
    production_order_reserve,
)

__all__ = [
    "BomInput",
    "BomLineInput",
    "BomOperationInput",
    "WorkCentreInput",
    "bom_activate",
    "bom_create",
    "check_no_cycle",
    "explode",
    "product_route_set",
    "production_order_cancel",
    "production_order_confirm",
    "production_order_create",
    "production_order_finish",
    "production_order_for_demand",
    "production_order_produce",
    "production_order_reserve",
    "route_of",
    "work_centre_create",
    "work_centre_update",
]
