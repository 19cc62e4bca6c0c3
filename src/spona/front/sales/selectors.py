"""Queries of sales, always scoped to the caller's company and permission.

Other apps import this module (``from spona.front.sales import selectors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from spona.back.finance.selectors.sales import InvoiceState, invoice_states, lifetime_value
from spona.bridge.automation.selectors import approvals_for, can_decide
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor
from spona.front.sales.models import CustomerGroup, CustomerTerms, Order, OrderDocument, PriceList, Quotation, SalesSettings

ZERO = Decimal(0)


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> Page:
    """Keyset pagination on descending id (newest first); the cursor carries the last id."""
    if cursor:
        _, pk = decode_cursor(cursor)
        qs = qs.filter(pk__lt=pk)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def quotation_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = "",
    party_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Quotations newest first, by number or customer name, status and customer."""
    require(user, "sales.view", company)
    qs = Quotation.objects.filter(company=company).select_related("party")
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(party__name__icontains=q.strip()))
    if status:
        qs = qs.filter(status=status)
    if party_id:
        qs = qs.filter(party_id=party_id)
    return _page(qs, cursor, limit)


def quotation_get(*, user: User, company: Company, quotation_id: int) -> Quotation:
    """One quotation with its lines and revisions; NotFound for another company's."""
    require(user, "sales.view", company)
    quotation = (
        Quotation.objects.filter(company=company, pk=quotation_id)
        .select_related("party", "payment_term", "company")
        .prefetch_related("lines__product", "revisions", "orders")
        .first()
    )
    if quotation is None:
        raise NotFound("No such quotation.")
    return quotation


def order_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = "",
    party_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Orders newest first, by number or customer name, status and customer."""
    require(user, "sales.view", company)
    qs = Order.objects.filter(company=company).select_related("party")
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(party__name__icontains=q.strip()))
    if status:
        qs = qs.filter(status=status)
    if party_id:
        qs = qs.filter(party_id=party_id)
    return _page(qs, cursor, limit)


def order_get(*, user: User, company: Company, order_id: int) -> Order:
    """One order with its lines, documents and returns; NotFound for another company's."""
    require(user, "sales.view", company)
    order = (
        Order.objects.filter(company=company, pk=order_id)
        .select_related("party", "quotation", "payment_term", "company")
        .prefetch_related("lines__product", "documents__transfer", "documents__invoice", "returns")
        .first()
    )
    if order is None:
        raise NotFound("No such order.")
    return order


@dataclass
class OrderStatus:
    """Where an order stands, in words everyone understands, with its documents."""

    to_deliver: bool
    to_invoice: bool
    invoiced: bool
    paid: bool
    invoices: list[InvoiceState] = field(default_factory=list)
    deliveries: list[OrderDocument] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.paid:
            return "paid"
        if self.to_deliver:
            return "to deliver"
        if self.to_invoice:
            return "to invoice"
        return "invoiced" if self.invoiced else "confirmed"


def order_status(*, order: Order) -> OrderStatus:
    """The status of an order fetched by ``order_get`` (one query for its invoices' payment state)."""
    from spona.front.sales.services import invoiceable

    lines = list(order.lines.all())
    documents = list(order.documents.all())
    states = invoice_states(company=order.company, invoice_ids=[d.invoice_id for d in documents if d.invoice_id])
    invoices = [states[d.invoice_id] for d in documents if d.invoice_id in states]
    confirmed = order.is_confirmed()
    to_deliver = confirmed and any(x.qty_delivered < x.quantity for x in lines)
    to_invoice = confirmed and any(invoiceable(order, x) > 0 for x in lines)
    out = [i for i in invoices if i.kind == "out_invoice"]
    invoiced = bool(out) and not to_invoice
    paid = invoiced and not to_deliver and all(i.payment_state == "paid" for i in out)
    return OrderStatus(
        to_deliver=to_deliver,
        to_invoice=to_invoice,
        invoiced=invoiced,
        paid=paid,
        invoices=invoices,
        deliveries=[d for d in documents if d.transfer_id],
    )


@dataclass
class ApprovalPanel:
    """A quotation's or order's approvals: the one waiting (if any), who must decide it, and the history."""

    requests: list[Any]
    pending: Any | None
    waiting_for: str
    can_decide: bool


def approval_panel(*, user: User, company: Company, record_type: str, record_id: int) -> ApprovalPanel:
    """The approvals of a sales record for its page; the caller has fetched the record with ``*_get``.

    ``waiting_for`` names the role of the step to decide now; ``can_decide`` says whether this
    user may decide it (holds that role and did not ask for it).
    """
    require(user, "sales.view", company)
    requests = approvals_for(company=company, record_type=record_type, record_id=record_id)
    pending = next((r for r in requests if r.is_pending()), None)
    step = next((s for s in pending.steps.all() if s.state == "pending"), None) if pending else None
    return ApprovalPanel(
        requests=requests,
        pending=pending,
        waiting_for=str(step.get_role_display()) if step else "",
        can_decide=pending is not None and can_decide(user=user, company=company, request=pending),
    )


def pricelist_list(*, user: User, company: Company) -> list[PriceList]:
    """The company's price lists with their group and prices."""
    require(user, "sales.view", company)
    return list(PriceList.objects.filter(company=company).select_related("customer_group").prefetch_related("items__product"))


def pricelist_page(*, user: User, company: Company, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """Price lists newest first, by name, with their group and number of prices."""
    require(user, "sales.view", company)
    qs = PriceList.objects.filter(company=company).select_related("customer_group").annotate(prices=Count("items"))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return _page(qs, cursor, limit)


def settings_get(*, user: User, company: Company) -> SalesSettings:
    """The company's sales rules, for anyone in sales (made with the defaults on first use)."""
    from spona.front.sales.services import settings_for

    require(user, "sales.view", company)
    return settings_for(company=company)


def customer_groups(*, user: User, company: Company) -> list[CustomerGroup]:
    """The company's customer groups by name."""
    require(user, "sales.view", company)
    return list(CustomerGroup.objects.filter(company=company).order_by("name"))


def terms_page(*, user: User, company: Company, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """Customers' sales terms newest first, by customer name."""
    require(user, "sales.view", company)
    qs = CustomerTerms.objects.filter(company=company).select_related("party", "customer_group", "price_list", "payment_term")
    if q.strip():
        qs = qs.filter(party__name__icontains=q.strip())
    return _page(qs, cursor, limit)


def terms_get(*, user: User, company: Company, party_id: int) -> CustomerTerms | None:
    """A customer's sales terms (None: it has none yet); NotFound when the party is not of this company."""
    require(user, "sales.view", company)
    from spona.core.models import Party

    if not Party.objects.filter(company=company, pk=party_id, merged_into__isnull=True).exists():
        raise NotFound("No such customer.")
    return CustomerTerms.objects.filter(company=company, party_id=party_id).select_related("party").first()


def pricelist_get(*, user: User, company: Company, price_list_id: int) -> PriceList:
    require(user, "sales.view", company)
    found = PriceList.objects.filter(company=company, pk=price_list_id).prefetch_related("items__product").first()
    if found is None:
        raise NotFound("No such price list.")
    return found


@dataclass
class PartySales:
    """What the 360° page shows of a customer's sales."""

    quotations: list[Quotation]
    orders: list[Order]
    lifetime_value: Decimal
    open_quotations: int


def party_sales(*, user: User, company: Company, party_id: int, limit: int = 5) -> PartySales:
    """Open quotations, orders in flight and the lifetime value (posted invoices less credit notes) of a customer."""
    require(user, "sales.view", company)
    quotations = list(
        Quotation.objects.filter(company=company, party_id=party_id, status__in=["draft", "sent"]).order_by("-pk")[:limit]
    )
    orders = list(Order.objects.filter(company=company, party_id=party_id).exclude(status="cancelled").order_by("-pk")[:limit])
    return PartySales(
        quotations=quotations,
        orders=orders,
        lifetime_value=lifetime_value(company=company, party_id=party_id),
        open_quotations=len(quotations),
    )


# For the customer portal -------------------------------------------------------------------------


def party_orders(*, company: Company, party_id: int, limit: int = 100) -> list[Order]:
    """A customer's orders past the draft stage, newest first. The caller has checked that the user
    may see this customer's records (the customer's own portal user)."""
    qs = Order.objects.filter(company=company, party_id=party_id).exclude(status=Order.Status.DRAFT)
    return list(qs.order_by("-pk")[: max(1, min(limit, 200))])


def party_order_get(*, company: Company, party_id: int, order_id: int) -> Order:
    """One order of the customer, as ``order_get`` fetches it; NotFound for a draft or another customer's."""
    order = (
        Order.objects.filter(company=company, party_id=party_id, pk=order_id)
        .exclude(status=Order.Status.DRAFT)
        .select_related("party", "company")
        .prefetch_related("lines__product", "documents__transfer", "documents__invoice")
        .first()
    )
    if order is None:
        raise NotFound("No such order.")
    return order


def party_orders_in_flight(*, user: User, company: Company, party_id: int) -> tuple[int, Decimal]:
    """How many of a customer's orders are confirmed but not yet done, and their total (tax included)."""
    require(user, "sales.view", company)
    totals = Order.objects.filter(company=company, party_id=party_id, status=Order.Status.CONFIRMED).aggregate(
        n=Count("pk"), total=ExactSum("total")
    )
    return totals["n"], totals["total"] or Decimal(0)
