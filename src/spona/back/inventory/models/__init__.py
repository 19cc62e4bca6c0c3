"""Inventory models; each module holds one aggregate family."""

from spona.back.inventory.models.locations import Location, Warehouse
from spona.back.inventory.models.products import (
    Product,
    ProductAttribute,
    ProductAttributeValue,
    ProductCategory,
    ProductTemplate,
    SupplierInfo,
    SupplierPriceBreak,
    Uom,
    UomCategory,
)
from spona.back.inventory.models.stock import DoneMoveError, Lot, Reservation, ReservationAllocation, StockMove, StockQuant
from spona.back.inventory.models.transfers import Transfer, TransferLine
from spona.back.inventory.models.valuation import ValuationLayer

__all__ = [
    "DoneMoveError",
    "Location",
    "Lot",
    "Product",
    "ProductAttribute",
    "ProductAttributeValue",
    "ProductCategory",
    "ProductTemplate",
    "Reservation",
    "ReservationAllocation",
    "StockMove",
    "StockQuant",
    "SupplierInfo",
    "SupplierPriceBreak",
    "Transfer",
    "TransferLine",
    "Uom",
    "UomCategory",
    "ValuationLayer",
    "Warehouse",
]
