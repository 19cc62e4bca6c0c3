"""Events the sales app publishes; each concerns a customer, so it lands on its timeline."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class QuotationPayload(BaseModel):
    quotation_id: int
    number: str
    total: str
    currency: str


class QuotationAcceptedPayload(QuotationPayload):
    order_id: int
    order_number: str


class QuotationDeclinedPayload(QuotationPayload):
    reason: str


class OrderPayload(BaseModel):
    order_id: int
    number: str
    total: str
    currency: str


class OrderReasonPayload(OrderPayload):
    reason: str


class OrderInvoicedPayload(OrderPayload):
    invoice_number: str


class ReturnPayload(OrderPayload):
    return_id: int
    return_number: str
    credit_note: str


QUOTATION_SENT = define(
    EventType(
        "sales.quotation_sent",
        "A quotation was sent to the customer.",
        QuotationPayload,
        "sales",
        "Quotation {number} sent: {total} {currency}",
    )
)
QUOTATION_ACCEPTED = define(
    EventType(
        "sales.quotation_accepted",
        "The customer accepted a quotation; it became a sales order.",
        QuotationAcceptedPayload,
        "sales",
        "Quotation {number} accepted: order {order_number}",
    )
)
QUOTATION_DECLINED = define(
    EventType(
        "sales.quotation_declined",
        "The customer declined a quotation.",
        QuotationDeclinedPayload,
        "sales",
        "Quotation {number} declined",
    )
)
ORDER_CONFIRMED = define(
    EventType(
        "sales.order_confirmed",
        "A sales order was confirmed.",
        OrderPayload,
        "sales",
        "Order {number} confirmed: {total} {currency}",
    )
)
ORDER_HELD = define(
    EventType(
        "sales.order_held",
        "A sales order waits: the customer's credit limit.",
        OrderReasonPayload,
        "sales",
        "Order {number} on hold: {reason}",
    )
)
ORDER_CANCELLED = define(
    EventType("sales.order_cancelled", "A sales order was cancelled.", OrderReasonPayload, "sales", "Order {number} cancelled")
)
ORDER_INVOICED = define(
    EventType(
        "sales.order_invoiced",
        "A sales order was invoiced.",
        OrderInvoicedPayload,
        "sales",
        "Order {number} invoiced: {invoice_number}",
    )
)
RETURN_CREATED = define(
    EventType(
        "sales.return_created",
        "Goods of a sales order come back (RMA).",
        ReturnPayload,
        "sales",
        "Return {return_number} for order {number}",
    )
)
