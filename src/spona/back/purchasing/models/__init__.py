"""Purchasing models; each module holds one aggregate family."""

from spona.back.purchasing.models.orders import PurchaseBill, PurchaseLine, PurchaseOrder, PurchaseReceipt, PurchaseSettings
from spona.back.purchasing.models.rules import ReorderRule

__all__ = ["PurchaseBill", "PurchaseLine", "PurchaseOrder", "PurchaseReceipt", "PurchaseSettings", "ReorderRule"]
