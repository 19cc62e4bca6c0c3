"""Events the production app publishes; those of orders for a customer go on the party's timeline."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class OrderPayload(BaseModel):
    order_id: int
    number: str
    product_id: int
    sku: str
    quantity: str
    reference: str


class OrderConfirmedPayload(OrderPayload):
    planned_end: str


class OrderDonePayload(OrderPayload):
    produced: str
    scrapped: str
    unit_cost: str
    actual_cost: str
    currency: str


class ShortLine(BaseModel):
    product_id: int
    sku: str
    short: str


class ComponentsShortPayload(BaseModel):
    order_id: int
    number: str
    lines: list[ShortLine]
    summary: str


ORDER_CONFIRMED = define(
    EventType(
        "production.order_confirmed",
        "A production order was confirmed: components reserved, operations scheduled.",
        OrderConfirmedPayload,
        "production",
        "Production order {number} confirmed: {quantity} × {sku}, planned to end {planned_end}",
    )
)
ORDER_DONE = define(
    EventType(
        "production.order_done",
        "A production order was finished.",
        OrderDonePayload,
        "production",
        "Production order {number} done: {produced} × {sku} at {unit_cost} {currency} each",
    )
)
COMPONENTS_SHORT = define(
    EventType(
        "production.components_short",
        "A production order could not reserve all its components.",
        ComponentsShortPayload,
        "production",
        "Production order {number} is short of {summary}",
    )
)
