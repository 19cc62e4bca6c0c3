"""The sales REST endpoints under /api/v1/sales/: price lists, quotations, orders.

Thin by rule: each endpoint parses an explicit input schema, calls one sales service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields and refuse any other (SEC2): company, number, status, approval,
totals and quantities delivered or invoiced come from the services only. Amounts travel as
decimal strings. Ids are looked up within the caller's company, so another company's record
answers 404; a transition the state does not allow answers 409, invalid input 422.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from spona.core.api import Id, Input, Text
from spona.core.models import Company, User
from spona.front.sales import selectors, services
from spona.front.sales.models import Order, Quotation

router = Router(tags=["sales"])

Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1e9"), decimal_places=4, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2, allow_inf_nan=False)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]
QuotationStatus = Literal[tuple(Quotation.Status.values)]  # type: ignore[valid-type]
OrderStatus = Literal[tuple(Order.Status.values)]  # type: ignore[valid-type]
Policy = Literal[tuple(Order.InvoicePolicy.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class Filters(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)
    q: Text = Field("", max_length=100)
    party_id: Id | None = None


# Price lists -------------------------------------------------------------------------------------


class PriceOut(Schema):
    product_id: int
    min_quantity: Decimal
    price: Decimal


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    customer_group_id: int | None
    date_from: dt.date | None
    date_to: dt.date | None
    sequence: int
    is_active: bool
    version: int
    items: list[PriceOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class PriceIn(Input):
    product_id: Id
    price: Amount
    min_quantity: Quantity = Decimal(1)


class PriceListIn(Input):
    name: Text = Field(max_length=100)
    currency: Text = Field(max_length=3)
    customer_group_id: Id | None = None
    date_from: Day | None = None
    date_to: Day | None = None
    sequence: int = Field(10, ge=0, le=32767)
    is_active: bool = True
    items: list[PriceIn] = Field(default_factory=list, max_length=1000)


@router.get("/price-lists", response=list[PriceListOut])
def list_sales_price_lists(request: HttpRequest) -> Any:
    """List the company's price lists with their prices by quantity break."""
    user, company = _caller(request)
    return selectors.pricelist_list(user=user, company=company)


@router.post("/price-lists", response={201: PriceListOut})
def create_sales_price_list(request: HttpRequest, payload: PriceListIn) -> Any:
    """Create a price list for a currency, customer group (or everyone) and date range."""
    user, company = _caller(request)
    data = payload.model_dump(exclude={"items"})
    price_list = services.price_list_save(
        actor=user, company=company, items=[services.PriceIn(**i.model_dump()) for i in payload.items], **data
    )
    return Status(201, selectors.pricelist_get(user=user, company=company, price_list_id=price_list.pk))


@router.get("/price-lists/{price_list_id}", response=PriceListOut)
def get_sales_price_list(request: HttpRequest, price_list_id: Id) -> Any:
    """Return one price list with its prices."""
    user, company = _caller(request)
    return selectors.pricelist_get(user=user, company=company, price_list_id=price_list_id)


class PriceListUpdate(PriceListIn):
    version: int = Field(ge=1, description="The version you read; a stale one answers 409.")


@router.put("/price-lists/{price_list_id}", response=PriceListOut)
def update_sales_price_list(request: HttpRequest, price_list_id: Id, payload: PriceListUpdate) -> Any:
    """Replace a price list's header and all its prices."""
    user, company = _caller(request)
    data = payload.model_dump(exclude={"items"})
    services.price_list_save(
        actor=user,
        company=company,
        price_list_id=price_list_id,
        items=[services.PriceIn(**i.model_dump()) for i in payload.items],
        **data,
    )
    return selectors.pricelist_get(user=user, company=company, price_list_id=price_list_id)


# Customer groups and terms, settings --------------------------------------------------------------


class GroupOut(Schema):
    id: int
    name: str


class GroupIn(Input):
    name: Text = Field(min_length=1, max_length=100)


@router.get("/customer-groups", response=list[GroupOut])
def list_sales_customer_groups(request: HttpRequest) -> Any:
    """List the customer groups (retail, wholesale …) that price lists and terms name."""
    user, company = _caller(request)
    return selectors.customer_groups(user=user, company=company)


@router.post("/customer-groups", response={201: GroupOut})
def create_sales_customer_group(request: HttpRequest, payload: GroupIn) -> Any:
    """Add a customer group; the name is unique in the company."""
    user, company = _caller(request)
    return Status(201, services.customer_group_create(actor=user, company=company, name=payload.name))


class TermsOut(Schema):
    party_id: int
    customer_group_id: int | None
    price_list_id: int | None
    payment_term_id: int | None
    credit_limit: Decimal | None
    version: int


class TermsIn(Input):
    customer_group_id: Id | None = None
    price_list_id: Id | None = None
    payment_term_id: Id | None = None
    credit_limit: Amount | None = Field(None, description="Empty: no limit.")
    version: int = Field(0, ge=0, description="The version you read (0: the customer has no terms yet); a stale one answers 409.")


def _terms(user: User, company: Company, party_id: int) -> Any:
    terms = selectors.terms_get(user=user, company=company, party_id=party_id)
    if terms is None:
        return TermsOut(
            party_id=party_id, customer_group_id=None, price_list_id=None, payment_term_id=None, credit_limit=None, version=0
        )
    return terms


@router.get("/customers/{sales_customer_id}/terms", response=TermsOut)
def get_sales_customer_terms(request: HttpRequest, sales_customer_id: Id) -> Any:
    """Return how a customer buys (version 0 and no limit when it has no terms of its own)."""
    user, company = _caller(request)
    return _terms(user, company, sales_customer_id)


@router.put("/customers/{sales_customer_id}/terms", response=TermsOut)
def set_sales_customer_terms(request: HttpRequest, sales_customer_id: Id, payload: TermsIn) -> Any:
    """Set a customer's group, own price list, payment term and credit limit."""
    user, company = _caller(request)
    selectors.terms_get(user=user, company=company, party_id=sales_customer_id)
    services.customer_terms_set(actor=user, company=company, party_id=sales_customer_id, **payload.model_dump())
    return _terms(user, company, sales_customer_id)


class SettingsOut(Schema):
    discount_limit: Decimal
    credit_policy: str
    validity_days: int
    default_tax_id: int | None
    warehouse_id: int | None


class SettingsIn(Input):
    discount_limit: Percent
    credit_policy: Literal["block", "approval"]
    validity_days: int = Field(30, ge=1, le=365)
    default_tax_id: Id | None = None
    warehouse_id: Id | None = None


@router.get("/settings", response=SettingsOut)
def get_sales_settings(request: HttpRequest) -> Any:
    """Return the company's sales rules: discount limit, credit policy, quotation validity, default tax, warehouse."""
    user, company = _caller(request)
    return selectors.settings_get(user=user, company=company)


@router.put("/settings", response=SettingsOut)
def update_sales_settings(request: HttpRequest, payload: SettingsIn) -> Any:
    """Change the company's sales rules (management)."""
    user, company = _caller(request)
    return services.settings_update(actor=user, company=company, **payload.model_dump())


# Quotations --------------------------------------------------------------------------------------


class SalesLineIn(Input):
    product_id: Id
    quantity: Quantity
    unit_price: Amount | None = Field(None, description="Leave out to take the customer's price list price.")
    discount: Percent = Decimal(0)
    tax_ids: list[Id] | None = Field(None, max_length=10, description="Leave out for the company's default sales tax.")
    description: Text = Field("", max_length=300)
    is_optional: bool = False


def _lines(lines: list[SalesLineIn]) -> list[services.LineIn]:
    return [services.LineIn(**x.model_dump()) for x in lines]


class QuotationLineOut(Schema):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_ids: list[int]
    is_optional: bool
    is_chosen: bool
    subtotal: Decimal


class QuotationOut(Schema):
    id: int
    number: str
    revision: int
    party_id: int
    opportunity_id: int | None
    currency: str
    valid_until: dt.date
    terms: str
    untaxed: Decimal
    tax: Decimal
    total: Decimal
    status: QuotationStatus
    approval: str
    version: int
    lines: list[QuotationLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class QuotationPage(Schema):
    items: list[QuotationOut]
    next_cursor: str | None


class QuotationIn(Input):
    party_id: Id
    opportunity_id: Id | None = None
    valid_until: Day | None = None
    terms: Text = Field("", max_length=5000)
    lines: list[SalesLineIn] = Field(max_length=200)


class QuotationRevise(Input):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")
    valid_until: Day
    terms: Text = Field("", max_length=5000)
    lines: list[SalesLineIn] = Field(max_length=200)


class QuotationFilters(Filters):
    status: QuotationStatus | None = None


class AcceptIn(Input):
    chosen_line_ids: list[Id] = Field(default_factory=list, max_length=200, description="Optional lines the customer takes.")


class DeclineIn(Input):
    reason: Text = Field("", max_length=300)


def _quotation(request: HttpRequest, quotation_id: int) -> Quotation:
    user, company = _caller(request)
    return selectors.quotation_get(user=user, company=company, quotation_id=quotation_id)


@router.get("/quotations", response=QuotationPage)
def list_sales_quotations(request: HttpRequest, filters: Query[QuotationFilters]) -> Any:
    """List quotations newest first, by number or customer, status and customer (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.quotation_list(
        user=user,
        company=company,
        q=filters.q,
        status=filters.status or "",
        party_id=filters.party_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    rows = Quotation.objects.filter(pk__in=[x.pk for x in page.items]).prefetch_related("lines").order_by("-pk")
    return {"items": list(rows), "next_cursor": page.next_cursor}


@router.post("/quotations", response={201: QuotationOut})
def create_sales_quotation(request: HttpRequest, payload: QuotationIn) -> Any:
    """Draft a quotation; prices come from the customer's price lists unless given."""
    user, company = _caller(request)
    data = payload.model_dump(exclude={"lines"})
    quotation = services.quotation_create(actor=user, company=company, lines=_lines(payload.lines), **data)
    return Status(201, _quotation(request, quotation.pk))


@router.get("/quotations/{quotation_id}", response=QuotationOut)
def get_sales_quotation(request: HttpRequest, quotation_id: Id) -> Any:
    """Return one quotation with its lines."""
    return _quotation(request, quotation_id)


@router.put("/quotations/{quotation_id}", response=QuotationOut)
def revise_sales_quotation(request: HttpRequest, quotation_id: Id, payload: QuotationRevise) -> Any:
    """Replace an open quotation's lines and terms; a sent one becomes a new revision (history kept)."""
    user, company = _caller(request)
    services.quotation_update(
        actor=user,
        company=company,
        quotation_id=quotation_id,
        version=payload.version,
        lines=_lines(payload.lines),
        valid_until=payload.valid_until,
        terms=payload.terms,
    )
    return _quotation(request, quotation_id)


@router.post("/quotations/{quotation_id}/send", response=QuotationOut)
def send_sales_quotation(request: HttpRequest, quotation_id: Id) -> Any:
    """Send a quotation (409 while its discount waits for approval)."""
    user, company = _caller(request)
    services.quotation_send(actor=user, company=company, quotation_id=quotation_id)
    return _quotation(request, quotation_id)


@router.post("/quotations/{quotation_id}/decline", response=QuotationOut)
def decline_sales_quotation(request: HttpRequest, quotation_id: Id, payload: DeclineIn) -> Any:
    """Record that the customer declined a sent quotation."""
    user, company = _caller(request)
    services.quotation_decline(actor=user, company=company, quotation_id=quotation_id, reason=payload.reason)
    return _quotation(request, quotation_id)


# Orders ------------------------------------------------------------------------------------------


class OrderLineOut(Schema):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_ids: list[int]
    subtotal: Decimal
    qty_delivered: Decimal
    qty_invoiced: Decimal
    qty_returned: Decimal


class SalesOrderOut(Schema):
    id: int
    number: str
    party_id: int
    quotation_id: int | None
    currency: str
    invoice_policy: Policy
    order_date: dt.date
    untaxed: Decimal
    tax: Decimal
    total: Decimal
    status: OrderStatus
    approval: str
    hold_reason: str
    version: int
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class SalesOrderPage(Schema):
    items: list[SalesOrderOut]
    next_cursor: str | None


class SalesOrderIn(Input):
    party_id: Id
    invoice_policy: Policy = "order"
    lines: list[SalesLineIn] = Field(max_length=200)


class OrderFilters(Filters):
    status: OrderStatus | None = None


class CancelIn(Input):
    reason: Text = Field("", max_length=200)


class ReturnLineIn(Input):
    order_line_id: Id
    quantity: Quantity


class ReturnIn(Input):
    reason: Text = Field(max_length=300)
    lines: list[ReturnLineIn] = Field(max_length=200)


class InvoiceRef(Schema):
    invoice_id: int
    number: str


class ReturnOut(Schema):
    id: int
    number: str
    order_id: int
    reason: str
    transfer_id: int | None
    credit_note_id: int | None


def _order(request: HttpRequest, order_id: int) -> Order:
    user, company = _caller(request)
    return selectors.order_get(user=user, company=company, order_id=order_id)


@router.get("/orders", response=SalesOrderPage)
def list_sales_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """List orders newest first, by number or customer, status and customer (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.order_list(
        user=user,
        company=company,
        q=filters.q,
        status=filters.status or "",
        party_id=filters.party_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    rows = Order.objects.filter(pk__in=[x.pk for x in page.items]).prefetch_related("lines").order_by("-pk")
    return {"items": list(rows), "next_cursor": page.next_cursor}


@router.post("/orders", response={201: SalesOrderOut})
def create_sales_order(request: HttpRequest, payload: SalesOrderIn) -> Any:
    """Draft an order directly; prices come from the customer's price lists unless given."""
    user, company = _caller(request)
    order = services.order_create(
        actor=user, company=company, party_id=payload.party_id, invoice_policy=payload.invoice_policy, lines=_lines(payload.lines)
    )
    return Status(201, _order(request, order.pk))


@router.get("/orders/{sales_order_id}", response=SalesOrderOut)
def get_sales_order(request: HttpRequest, sales_order_id: Id) -> Any:
    """Return one order with its lines and delivered, invoiced and returned quantities."""
    return _order(request, sales_order_id)


@router.post("/orders/{sales_order_id}/confirm", response=SalesOrderOut)
def confirm_sales_order(request: HttpRequest, sales_order_id: Id) -> Any:
    """Confirm a draft order (credit check, delivery and reservation); concurrent calls confirm once."""
    user, company = _caller(request)
    services.order_confirm(actor=user, company=company, order_id=sales_order_id)
    return _order(request, sales_order_id)


@router.post("/orders/{sales_order_id}/cancel", response=SalesOrderOut)
def cancel_sales_order(request: HttpRequest, sales_order_id: Id, payload: CancelIn) -> Any:
    """Cancel an order not yet delivered or invoiced (its reservations are released)."""
    user, company = _caller(request)
    services.order_cancel(actor=user, company=company, order_id=sales_order_id, reason=payload.reason)
    return _order(request, sales_order_id)


@router.post("/orders/{sales_order_id}/invoice", response={201: InvoiceRef})
def invoice_sales_order(request: HttpRequest, sales_order_id: Id) -> Any:
    """Invoice what the order's policy allows now and post the invoice."""
    user, company = _caller(request)
    document = services.order_invoice(actor=user, company=company, order_id=sales_order_id)
    return Status(201, {"invoice_id": document.invoice_id, "number": document.invoice.number})  # type: ignore[union-attr]


@router.post("/orders/{sales_order_id}/return", response={201: ReturnOut})
def return_sales_order(request: HttpRequest, sales_order_id: Id, payload: ReturnIn) -> Any:
    """Take delivered goods back (RMA): a return receipt and, for what was invoiced, a credit note."""
    user, company = _caller(request)
    rma = services.order_return(
        actor=user,
        company=company,
        order_id=sales_order_id,
        reason=payload.reason,
        lines=[services.ReturnLineIn(x.order_line_id, x.quantity) for x in payload.lines],
    )
    return Status(201, rma)


@router.post("/quotations/{quotation_id}/accept", response={201: SalesOrderOut})
def accept_sales_quotation(request: HttpRequest, quotation_id: Id, payload: AcceptIn) -> Any:
    """Accept a sent quotation for the customer: its order is made and confirmed (or held for credit)."""
    user, company = _caller(request)
    order = services.quotation_accept(
        actor=user, company=company, quotation_id=quotation_id, chosen_line_ids=payload.chosen_line_ids
    )
    return Status(201, _order(request, order.pk))
