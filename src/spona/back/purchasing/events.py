"""Events the purchasing app publishes; each lands on the supplier's timeline."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class OrderPayload(BaseModel):
    order_id: int
    number: str
    supplier_id: int
    total: str
    currency: str


class OrderReceivedPayload(BaseModel):
    order_id: int
    number: str
    supplier_id: int
    receipt: str
    fully_received: bool
    on_time: bool


class BillCreatedPayload(BaseModel):
    order_id: int
    number: str
    supplier_id: int
    invoice_id: int
    total: str
    currency: str


class BelowReorderPointPayload(BaseModel):
    rule_id: int
    product_id: int
    sku: str
    warehouse: str
    forecast: str
    min_quantity: str
    supplier_id: int | None


ORDER_CONFIRMED = define(
    EventType(
        "purchasing.order_confirmed",
        "A purchase order was confirmed and its receipt planned.",
        OrderPayload,
        "purchasing",
        "Purchase order {number} confirmed ({total} {currency})",
    )
)
ORDER_RECEIVED = define(
    EventType(
        "purchasing.order_received",
        "Goods of a purchase order were received.",
        OrderReceivedPayload,
        "purchasing",
        "Goods for {number} received ({receipt})",
    )
)
BILL_CREATED = define(
    EventType(
        "purchasing.bill_created",
        "A vendor bill was drafted from a purchase order.",
        BillCreatedPayload,
        "purchasing",
        "Vendor bill drafted for {number} ({total} {currency})",
    )
)
BELOW_REORDER_POINT = define(
    EventType(
        "purchasing.below_reorder_point",
        "A product's forecast stock fell below its reorder point.",
        BelowReorderPointPayload,
        "purchasing",
        "{sku} below its reorder point in {warehouse} ({forecast} < {min_quantity})",
    )
)
