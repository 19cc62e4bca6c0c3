"""The purchasing REST endpoints under /api/v1/purchasing/: rules, replenishment, orders, match, performance.

Thin by rule: each endpoint parses an explicit input schema, calls one purchasing service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields and refuse any other (SEC2): company, number, state, totals, received
and billed quantities come from the services only. Quantities and amounts travel as decimal
strings. Ids are looked up within the caller's company, so another company's record answers
404. A stale ``version`` answers 409, a transition the state does not allow 409, invalid
input 422 with field errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from spona.back.purchasing import selectors, services
from spona.back.purchasing.models import PurchaseOrder
from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User

router = Router(tags=["purchasing"])

Quantity = Annotated[Decimal, Field(ge=0, le=Decimal("1e14"), decimal_places=4, allow_inf_nan=False)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), decimal_places=6, allow_inf_nan=False)]
Decimals = Annotated[Decimal, Field(description="A decimal number, sent as a string, e.g. 180.0000.")]
OrderState = Literal[tuple(PurchaseOrder.State.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _day(value: dt.date | None, field: str) -> dt.date | None:
    # Dates far from today are no business dates (and would overflow date arithmetic).
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValidationFailed("Give a date between the years 1900 and 2999.", field_errors={field: ["Out of range."]})
    return value


class PageParams(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


# Reorder rules -------------------------------------------------------------------------------


class ReorderRuleOut(Schema):
    id: int
    product_id: int
    warehouse_id: int
    min_quantity: Decimals
    max_quantity: Decimals
    multiple: Decimals
    is_active: bool
    version: int


class RulePage(Schema):
    items: list[ReorderRuleOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class RuleFilters(PageParams):
    q: Text = Field("", max_length=100)
    warehouse_id: Id | None = None


class RuleIn(Input):
    product_id: Id
    warehouse_id: Id
    min_quantity: Quantity
    max_quantity: Quantity
    multiple: Quantity = Decimal(1)
    is_active: bool = True


class RuleUpdate(RuleIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")


def _rule_input(payload: RuleIn) -> services.RuleIn:
    return services.RuleIn(**payload.model_dump(exclude={"version"}))


@router.get("/rules", response=RulePage)
def list_purchasing_rules(request: HttpRequest, filters: Query[RuleFilters]) -> Any:
    """List reorder rules newest first, by product SKU or name and warehouse (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.rule_list(
        user=user, company=company, q=filters.q, warehouse_id=filters.warehouse_id, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/rules", response={201: ReorderRuleOut})
def create_purchasing_rule(request: HttpRequest, payload: RuleIn) -> Any:
    """Add a reorder rule for a product in a warehouse (quantities in the product's unit); a second one answers 409."""
    user, company = _caller(request)
    return Status(201, services.rule_create(actor=user, company=company, data=_rule_input(payload)))


@router.get("/rules/{po_rule_id}", response=ReorderRuleOut)
def get_purchasing_rule(request: HttpRequest, po_rule_id: Id) -> Any:
    """Return one reorder rule."""
    user, company = _caller(request)
    return selectors.rule_get(user=user, company=company, rule_id=po_rule_id)


@router.put("/rules/{po_rule_id}", response=ReorderRuleOut)
def update_purchasing_rule(request: HttpRequest, po_rule_id: Id, payload: RuleUpdate) -> Any:
    """Change a rule's quantities or switch it off; a stale version answers 409."""
    user, company = _caller(request)
    return services.rule_update(
        actor=user, company=company, rule_id=po_rule_id, version=payload.version, data=_rule_input(payload)
    )


# Replenishment -------------------------------------------------------------------------------


class ProposalOut(Schema):
    rule_id: int
    product_id: int
    sku: str
    warehouse_id: int
    on_hand: Decimals
    outgoing: Decimals
    incoming: Decimals
    forecast: Decimals
    min_quantity: Decimals
    max_quantity: Decimals
    quantity: Decimals = Field(description="What to buy, in the product's unit.")
    purchase_quantity: Decimals = Field(description="The same in the product's purchase unit.")
    purchase_uom_id: int
    supplier_id: int | None
    unit_price: Decimals | None
    currency: str
    lead_time_days: int
    order_by: dt.date
    arrives_on: dt.date


class ReplenishmentFilters(Schema):
    warehouse_id: Id | None = None


class ReplenishIn(Input):
    rule_ids: list[Id] = Field(min_length=1, max_length=500)


class CreatedOrders(Schema):
    order_ids: list[int]


@router.get("/replenishment", response=list[ProposalOut])
def get_purchasing_replenishment(request: HttpRequest, filters: Query[ReplenishmentFilters]) -> Any:
    """Propose purchases for every active rule whose forecast is below its minimum, with the best supplier."""
    user, company = _caller(request)
    return selectors.replenishment(user=user, company=company, warehouse_id=filters.warehouse_id)


@router.post("/replenishment/orders", response={201: CreatedOrders})
def order_purchasing_replenishment(request: HttpRequest, payload: ReplenishIn) -> Any:
    """Draft one RFQ per supplier for the given rules' current proposals; rules no longer short are skipped."""
    user, company = _caller(request)
    return Status(201, {"order_ids": services.replenishment_order(actor=user, company=company, rule_ids=payload.rule_ids)})


# Orders --------------------------------------------------------------------------------------


class LineOut(Schema):
    id: int
    product_id: int
    description: str
    uom_id: int
    quantity: Decimals
    unit_price: Decimals
    tax_ids: list[int]
    expected_date: dt.date
    subtotal: Decimals
    quantity_received: Decimals
    quantity_billed: Decimals

    @staticmethod
    def resolve_tax_ids(obj: Any) -> list[int]:
        return [t.pk for t in obj.taxes.all()]


class OrderSummary(Schema):
    id: int
    number: str
    state: OrderState
    supplier_id: int
    warehouse_id: int
    currency: str
    order_date: dt.date
    expected_date: dt.date
    untaxed: Decimals
    tax: Decimals
    total: Decimals
    version: int


class PurchaseOrderOut(OrderSummary):
    supplier_reference: str
    notes: str
    receipt_id: int | None
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PurchaseOrderPage(Schema):
    items: list[OrderSummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class OrderFilters(PageParams):
    q: Text = Field("", max_length=100)
    state: OrderState | Literal["rfq"] | None = None
    supplier_id: Id | None = None


class PurchaseLineIn(Input):
    product_id: Id
    quantity: Quantity
    unit_price: Price | None = Field(None, description="Empty: the supplier's price break for the quantity.")
    uom_id: Id | None = Field(None, description="Empty: the product's purchase unit.")
    tax_ids: list[Id] | None = Field(None, max_length=10, description="Empty: the company's purchase tax.")
    expected_date: dt.date | None = None
    description: Text = Field("", max_length=300)


class PurchaseOrderIn(Input):
    supplier_id: Id
    warehouse_id: Id
    lines: list[PurchaseLineIn] = Field(min_length=1, max_length=200)
    currency: Text = Field("", max_length=3)
    order_date: dt.date | None = None
    supplier_reference: Text = Field("", max_length=100)
    notes: Text = Field("", max_length=5000)


class OrderUpdate(PurchaseOrderIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")


class BillIn(Input):
    bill_date: dt.date | None = None
    reference: Text = Field("", max_length=100, description="The supplier's invoice number.")


class BillOut(Schema):
    id: int
    order_id: int
    invoice_id: int
    state: str
    total: Decimals
    currency: str

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return str(obj.invoice.state)

    @staticmethod
    def resolve_total(obj: Any) -> str:
        return str(obj.invoice.total)

    @staticmethod
    def resolve_currency(obj: Any) -> str:
        return str(obj.invoice.currency)


class BillPostIn(Input):
    confirm_differences: bool = Field(False, description="Needed when the order's three-way match flags a line.")


def _order_input(payload: PurchaseOrderIn) -> services.OrderIn:
    for i, line in enumerate(payload.lines):
        _day(line.expected_date, f"lines[{i}].expected_date")
    return services.OrderIn(
        supplier_id=payload.supplier_id,
        warehouse_id=payload.warehouse_id,
        currency=payload.currency,
        order_date=_day(payload.order_date, "order_date"),
        supplier_reference=payload.supplier_reference,
        notes=payload.notes,
        lines=[services.LineIn(**line.model_dump()) for line in payload.lines],
    )


@router.get("/orders", response=PurchaseOrderPage)
def list_purchasing_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """List RFQs and purchase orders newest first, by number, supplier or reference, state ("rfq": all open RFQs) and supplier."""
    user, company = _caller(request)
    page = selectors.order_list(
        user=user,
        company=company,
        q=filters.q,
        state=filters.state or "",
        supplier_id=filters.supplier_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/orders", response={201: PurchaseOrderOut})
def create_purchasing_order(request: HttpRequest, payload: PurchaseOrderIn) -> Any:
    """Draft a request for quotation; empty prices take the supplier's price breaks, empty dates its lead time."""
    user, company = _caller(request)
    order = services.order_create(actor=user, company=company, data=_order_input(payload))
    return Status(201, selectors.order_get(user=user, company=company, order_id=order.pk))


@router.get("/orders/{po_id}", response=PurchaseOrderOut)
def get_purchasing_order(request: HttpRequest, po_id: Id) -> Any:
    """Return one RFQ or order with its lines, received and billed quantities."""
    user, company = _caller(request)
    return selectors.order_get(user=user, company=company, order_id=po_id)


@router.put("/orders/{po_id}", response=PurchaseOrderOut)
def update_purchasing_order(request: HttpRequest, po_id: Id, payload: OrderUpdate) -> Any:
    """Replace an RFQ's header and lines; a confirmed order or a stale version answers 409."""
    user, company = _caller(request)
    services.order_update(actor=user, company=company, order_id=po_id, version=payload.version, data=_order_input(payload))
    return selectors.order_get(user=user, company=company, order_id=po_id)


@router.post("/orders/{po_id}/send", response=PurchaseOrderOut)
def send_purchasing_order(request: HttpRequest, po_id: Id) -> Any:
    """Mark an RFQ as sent to the supplier."""
    user, company = _caller(request)
    services.order_send(actor=user, company=company, order_id=po_id)
    return selectors.order_get(user=user, company=company, order_id=po_id)


@router.post("/orders/{po_id}/confirm", response=PurchaseOrderOut)
def confirm_purchasing_order(request: HttpRequest, po_id: Id) -> Any:
    """Confirm an RFQ: its receipt is planned, or above the approval threshold it waits in "to_approve"."""
    user, company = _caller(request)
    services.order_confirm(actor=user, company=company, order_id=po_id)
    return selectors.order_get(user=user, company=company, order_id=po_id)


@router.post("/orders/{po_id}/cancel", response=PurchaseOrderOut)
def cancel_purchasing_order(request: HttpRequest, po_id: Id) -> Any:
    """Cancel an RFQ, or an order of which nothing was received (its receipt is cancelled)."""
    user, company = _caller(request)
    services.order_cancel(actor=user, company=company, order_id=po_id)
    return selectors.order_get(user=user, company=company, order_id=po_id)


@router.post("/orders/{po_id}/bills", response={201: BillOut})
def bill_purchasing_order(request: HttpRequest, po_id: Id, payload: BillIn) -> Any:
    """Draft the vendor bill of what was received and not yet billed (through finance)."""
    user, company = _caller(request)
    bill = services.bill_create(
        actor=user,
        company=company,
        order_id=po_id,
        bill_date=_day(payload.bill_date, "bill_date"),
        reference=payload.reference,
    )
    return Status(201, selectors.bill_get(user=user, company=company, bill_id=bill.pk))


class MatchOut(Schema):
    line_id: int
    product_id: int
    description: str
    unit: str
    ordered: Decimals
    received: Decimals
    billed: Decimals
    order_price: Decimals
    billed_price: Decimals | None
    price_variance: Decimals
    flags: list[Literal["price_variance", "billed_more_than_received", "received_more_than_ordered"]]


@router.get("/orders/{po_id}/match", response=list[MatchOut])
def match_purchasing_order(request: HttpRequest, po_id: Id) -> Any:
    """The three-way match of an order: ordered, received and billed quantities and prices per line, with flags."""
    user, company = _caller(request)
    return selectors.order_match(user=user, company=company, order_id=po_id)


@router.post("/bills/{po_bill_id}/post", response=BillOut)
def post_purchasing_bill(request: HttpRequest, po_bill_id: Id, payload: BillPostIn) -> Any:
    """Post a vendor bill made from an order (finance); differences of the match need ``confirm_differences``."""
    user, company = _caller(request)
    services.bill_post(actor=user, company=company, bill_id=po_bill_id, confirm_differences=payload.confirm_differences)
    return selectors.bill_get(user=user, company=company, bill_id=po_bill_id)


# Supplier performance ------------------------------------------------------------------------


class PerformanceFilters(Schema):
    date_from: dt.date | None = Field(None, description="Default: the first day of this year.")
    date_to: dt.date | None = Field(None, description="Default: today.")
    supplier_id: Id | None = None


class PerformanceOut(Schema):
    supplier_id: int
    supplier: str
    receipts: int
    on_time: int
    on_time_rate: Decimals = Field(description="Per cent of receipts on or before the expected date.")
    average_delay_days: Decimals
    billed_amount: Decimals = Field(description="Billed quantities at the ordered prices.")
    price_variance: Decimals = Field(description="(Billed − ordered price) × billed quantity.")
    price_variance_rate: Decimals


@router.get("/performance", response=list[PerformanceOut])
def get_purchasing_performance(request: HttpRequest, filters: Query[PerformanceFilters]) -> Any:
    """On-time rate, average delay and price variance per supplier over a period."""
    user, company = _caller(request)
    today = timezone.localdate()
    return selectors.supplier_performance(
        user=user,
        company=company,
        date_from=_day(filters.date_from, "date_from") or dt.date(today.year, 1, 1),
        date_to=_day(filters.date_to, "date_to") or today,
        supplier_id=filters.supplier_id,
    )
