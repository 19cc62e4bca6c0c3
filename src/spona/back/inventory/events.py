"""Events the inventory app publishes."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class TransferLinePayload(BaseModel):
    product_id: int
    sku: str
    quantity: str


class TransferDonePayload(BaseModel):
    transfer_id: int
    number: str
    reference: str
    party_id: int | None
    backorder_number: str
    lines: list[TransferLinePayload]


class StockReservedPayload(BaseModel):
    reservation_id: int
    product_id: int
    sku: str
    location: str
    quantity: str
    reference: str


RECEIVED = define(
    EventType(
        "inventory.received",
        "Goods were received into stock.",
        TransferDonePayload,
        "inventory",
        "Receipt {number} received",
    )
)
DELIVERED = define(
    EventType(
        "inventory.delivered",
        "Goods left stock for a customer.",
        TransferDonePayload,
        "inventory",
        "Delivery {number} shipped",
    )
)
STOCK_RESERVED = define(
    EventType(
        "inventory.stock_reserved",
        "Stock was reserved for an order or a delivery.",
        StockReservedPayload,
        "inventory",
        "{quantity} × {sku} reserved for {reference}",
    )
)
