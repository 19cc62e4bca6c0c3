"""Production models; each module holds one aggregate family."""

from spona.back.production.models.boms import Bom, BomLine, BomOperation, ProductRoute, WorkCentre
from spona.back.production.models.orders import OrderComponent, OrderOperation, ProductionOrder, WorkCentreLoad

__all__ = [
    "Bom",
    "BomLine",
    "BomOperation",
    "OrderComponent",
    "OrderOperation",
    "ProductRoute",
    "ProductionOrder",
    "WorkCentre",
    "WorkCentreLoad",
]
