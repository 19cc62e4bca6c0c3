"""The sales part of the demo company: price lists, customer terms, quotations and orders in every state.

Runs after the books (200), the stock (300-320), purchasing (400) and production (420), so it
sells what is on the shelves and invoices into a ledger that is set up. Everything goes through
the services of sales, inventory and finance, as a salesperson, a warehouse clerk and an
accountant would do it: stock moves, ledger entries, approvals and timeline events are the real
thing. The step's random generator is seeded by its name, so two builds give the same documents.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.utils import timezone

import spona.back.inventory.selectors as stock
from spona.back.finance.selectors.sales import customer_exposure, payment_terms, sales_taxes
from spona.back.finance.services import journal_ensure, payment_register
from spona.back.inventory.services import transfer_validate
from spona.bridge.automation.selectors import approval_for
from spona.bridge.automation.services import approval_decide
from spona.core import events
from spona.core.demo import DemoContext, register_step
from spona.core.models import Company, Event, Party, User
from spona.front.sales import services
from spona.front.sales.models import Order, OrderDocument, Quotation
from spona.front.sales.services import LineIn, PriceIn, ReturnLineIn
from spona.front.sales.services.approvals import QUOTATION

CENT = Decimal("0.01")
# What the customers do with the 25 quotations, in the order they are drafted.
QUOTATION_PLAN = (
    *["accepted"] * 9,
    *["sent"] * 4,
    *["draft"] * 3,
    *["declined"] * 3,
    *["cancelled"] * 2,
    *["expired"] * 2,
    "discount_pending",
    "discount_approved",
)
# Where each of the 20 orders ends: the 9 from accepted quotations first, then 11 entered directly.
ORDER_PLAN = (
    *["paid"] * 6,
    *["delivered"] * 3,
    *["partly_delivered"] * 2,
    *["waiting"] * 4,
    *["cancelled"] * 2,
    "returned",
    "credit_hold",
    "draft",
)
PRODUCTS = 24
DECLINE_REASONS = ("Found a cheaper offer", "Project postponed", "Delivery time too long")


def _hear(company: Company, name: str) -> None:
    """Let the subscribers hear the newest ``name`` event now, as the worker would after commit.

    Only that event: the others of the build are delivered once at its end (``demo.build``).
    """
    event_id = Event.objects.filter(company=company, name=name).order_by("-pk").values_list("pk", flat=True).first()
    if event_id is not None:
        events.dispatch_event(event_id)


class _Shelf:
    """The products on sale with what is still free to promise, so every confirmation finds its stock."""

    def __init__(self, ctx: DemoContext, operations: User, warehouse_id: int) -> None:
        view = next(
            x for x in stock.location_list(user=operations, company=ctx.company, warehouse_id=warehouse_id) if x.kind == "view"
        )
        free: dict[int, Decimal] = {}
        cursor = None
        while True:
            page = stock.stock_by_location(user=operations, company=ctx.company, location_id=view.pk, cursor=cursor, limit=200)
            for row in page.items:
                if not row.lot:
                    free[row.product_id] = free.get(row.product_id, Decimal(0)) + row.available
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        products = stock.products_for_sale(company=ctx.company, ids=free)
        plenty = sorted(
            pk for pk, p in products.items() if p.is_stocked() and not p.is_tracked() and p.sale_price > 0 and free[pk] >= 40
        )
        self.ids = sorted(ctx.rng.sample(plenty, k=min(PRODUCTS, len(plenty))))
        self.free = {pk: free[pk] for pk in self.ids}
        self.prices = {pk: products[pk].sale_price for pk in self.ids}
        self.rng = ctx.rng

    def lines(self, *, count: int = 0, wholesale: bool = False, discount: Decimal = Decimal(0), least: int = 1) -> list[LineIn]:
        """One to three lines of products with enough free stock; wholesale buyers take quantity-break amounts."""
        count = count or self.rng.choice([1, 2, 2, 3])
        chosen = self.rng.sample(self.ids, k=count)
        result = []
        for pk in chosen:
            quantity = Decimal(
                self.rng.choice([50, 60, 100]) if wholesale else self.rng.choice([x for x in (1, 2, 3, 5, 8, 10) if x >= least])
            )
            quantity = min(quantity, max(self.free[pk] // 4, Decimal(1)))
            result.append(LineIn(product_id=pk, quantity=quantity, discount=discount))
        return result

    def take(self, order: Order) -> None:
        for line in order.lines.all():
            if line.product_id in self.free:
                self.free[line.product_id] -= line.quantity


def _price_lists(ctx: DemoContext, manager: User, shelf: _Shelf) -> tuple[int, int]:
    """A standard list for this year and a wholesale list with quantity breaks; returns the groups (retail, wholesale)."""
    company, today = ctx.company, timezone.localdate()
    retail = services.customer_group_create(actor=manager, company=company, name="Retail")
    wholesale = services.customer_group_create(actor=manager, company=company, name="Wholesale")
    standard = {pk: (price * Decimal("1.05")).quantize(CENT, ROUND_HALF_UP) for pk, price in shelf.prices.items()}
    services.price_list_save(
        actor=manager,
        company=company,
        name=f"Standard {today.year}",
        currency=company.base_currency,
        date_from=dt.date(today.year, 1, 1),
        date_to=dt.date(today.year, 12, 31),
        sequence=20,
        items=[PriceIn(product_id=pk, price=price) for pk, price in standard.items()],
    )
    breaks = ((Decimal(1), Decimal("0.92")), (Decimal(50), Decimal("0.87")), (Decimal(100), Decimal("0.82")))
    services.price_list_save(
        actor=manager,
        company=company,
        name="Wholesale",
        currency=company.base_currency,
        customer_group_id=wholesale.pk,
        sequence=10,
        items=[
            PriceIn(product_id=pk, min_quantity=start, price=(price * share).quantize(CENT, ROUND_HALF_UP))
            for pk, price in standard.items()
            for start, share in breaks
        ],
    )
    return retail.pk, wholesale.pk


def _terms(ctx: DemoContext, manager: User, customers: list[int], groups: tuple[int, int]) -> set[int]:
    """Terms for the first ten customers: groups, payment terms, and a credit limit for those in good standing."""
    company, today = ctx.company, timezone.localdate()
    term_ids = [pk for pk, _name in payment_terms(company=company)]
    wholesale = set()
    for n, party_id in enumerate(customers[:10]):
        group = groups[1] if n % 3 == 0 else groups[0]
        exposure = customer_exposure(company=company, party_id=party_id, on=today)
        # A limit only where nothing is overdue: the demo's own orders must not be held by surprise.
        limit = Decimal(ctx.rng.choice([20000, 30000, 50000])) if exposure.overdue == 0 and exposure.receivable < 5000 else None
        services.customer_terms_set(
            actor=manager,
            company=company,
            party_id=party_id,
            customer_group_id=group,
            payment_term_id=ctx.rng.choice(term_ids) if term_ids else None,
            credit_limit=limit,
        )
        if group == groups[1]:
            wholesale.add(party_id)
    return wholesale


def _deliver(ctx: DemoContext, operations: User, order: Order, share: Decimal | None = None) -> None:
    """The warehouse ships the order's delivery: all of it, or ``share`` of each line with a backorder for the rest."""
    document = OrderDocument.objects.filter(order=order, kind=OrderDocument.Kind.DELIVERY).order_by("pk").first()
    if document is None:
        return
    quantities = None
    if share is not None:
        delivery = stock.transfer_get(user=operations, company=ctx.company, transfer_id=document.transfer_id)
        quantities = {line.pk: (line.quantity * share).to_integral_value(ROUND_DOWN) for line in delivery.lines.all()}
    transfer_validate(actor=operations, company=ctx.company, transfer_id=document.transfer_id, quantities=quantities)
    _hear(ctx.company, "inventory.delivered")


def _quotations(
    ctx: DemoContext, seller: User, manager: User, shelf: _Shelf, customers: list[int], wholesale: set[int]
) -> list[Order]:
    """Twenty-five quotations; returns the orders the customers made by accepting through the share link."""
    company, today = ctx.company, timezone.localdate()
    orders = []
    for n, fate in enumerate(ctx.track(QUOTATION_PLAN, "Quotations")):
        party_id = customers[n % len(customers)]
        discount = {"discount_pending": Decimal(15), "discount_approved": Decimal(12)}.get(fate, Decimal(0))
        quotation = services.quotation_create(
            actor=seller,
            company=company,
            party_id=party_id,
            lines=shelf.lines(wholesale=party_id in wholesale and n % 2 == 0, discount=discount),
            valid_until=today + dt.timedelta(days=ctx.rng.choice([14, 30, 30, 45])),
            terms="Prices in EUR, delivery from our Beograd warehouse." if n % 4 == 0 else "",
        )
        if fate == "discount_approved":
            request = approval_for(company=company, record_type=QUOTATION, record_id=quotation.pk)
            approval_decide(
                actor=manager, company=company, request_id=request.pk, approve=True, comment="Long-standing customer."
            )
            _hear(company, "automation.approval_decided")
        if fate in ("draft", "cancelled", "discount_pending"):
            if fate == "cancelled":
                services.quotation_cancel(actor=seller, company=company, quotation_id=quotation.pk)
            continue
        services.quotation_send(actor=seller, company=company, quotation_id=quotation.pk)
        if fate == "sent" and n % 2 == 0:
            # The customer asked for more: the salesperson revises the offer and sends revision 2.
            current = Quotation.objects.get(pk=quotation.pk)
            services.quotation_update(
                actor=seller,
                company=company,
                quotation_id=quotation.pk,
                version=current.version,
                lines=[*shelf.lines(count=1), *shelf.lines(count=1)],
                valid_until=current.valid_until,
                terms=current.terms,
            )
            services.quotation_send(actor=seller, company=company, quotation_id=quotation.pk)
        elif fate == "accepted":
            # The customer accepts through the share link: no user, the link names the revision.
            order = services.quotation_accept(actor=None, company=company, quotation_id=quotation.pk, revision=quotation.revision)
            shelf.take(order)
            orders.append(order)
        elif fate == "declined":
            services.quotation_decline(actor=None, company=company, quotation_id=quotation.pk, reason=DECLINE_REASONS[n % 3])
        elif fate == "expired":
            # Sent weeks ago and never answered: the services refuse a validity in the past for new
            # offers, so the demo moves this one's date back, as time would have.
            Quotation.objects.filter(pk=quotation.pk).update(valid_until=today - dt.timedelta(days=ctx.rng.randint(3, 20)))
    return orders


def _direct_orders(
    ctx: DemoContext, seller: User, shelf: _Shelf, customers: list[int], wholesale: set[int], count: int
) -> list[Order]:
    """Orders entered directly by the salesperson (a phone call, an e-mail), confirmed unless the plan holds one back."""
    company, orders = ctx.company, []
    for n in range(count):
        party_id = customers[(n * 3 + 1) % len(customers)]
        order = services.order_create(
            actor=seller,
            company=company,
            party_id=party_id,
            # At least two of each, so that a delivery can ship part of every line.
            lines=shelf.lines(wholesale=party_id in wholesale and n % 3 == 0, least=2),
            invoice_policy=Order.InvoicePolicy.DELIVERY if n % 2 else Order.InvoicePolicy.ORDER,
        )
        orders.append(order)
    return orders


def _credit_hold(ctx: DemoContext, seller: User, manager: User, order: Order, group_id: int) -> None:
    """A customer whose credit limit is half its new order: the order waits for the manager."""
    limit = (order.total / 2).quantize(Decimal(1))
    services.customer_terms_set(
        actor=manager, company=ctx.company, party_id=order.party_id, customer_group_id=group_id, credit_limit=limit
    )
    services.order_confirm(actor=seller, company=ctx.company, order_id=order.pk)


def _play_orders(ctx: DemoContext, users: dict[str, User], shelf: _Shelf, orders: list[Order], groups: tuple[int, int]) -> None:
    """Move every order to its place in ORDER_PLAN: shipped, invoiced, paid, returned, cancelled or held."""
    company, today = ctx.company, timezone.localdate()
    seller, operations = users["sales"], users["operations"]
    bank_id = journal_ensure(company=company, code="BNK", name="Bank")
    for order, fate in zip(orders, ctx.track(ORDER_PLAN, "Orders"), strict=False):
        if fate == "draft":
            continue
        if fate == "credit_hold":
            _credit_hold(ctx, seller, users["management"], order, groups[0])
            continue
        if order.status == Order.Status.DRAFT:
            order = services.order_confirm(actor=seller, company=company, order_id=order.pk)
            shelf.take(order)
        if fate == "cancelled":
            services.order_cancel(actor=seller, company=company, order_id=order.pk, reason="The customer ordered elsewhere.")
            continue
        if fate == "waiting":
            continue
        _deliver(ctx, operations, order, Decimal("0.5") if fate == "partly_delivered" else None)
        if fate in ("partly_delivered", "delivered"):
            continue
        invoice = services.order_invoice(actor=seller, company=company, order_id=order.pk).invoice
        if fate == "paid" and invoice is not None and bank_id is not None:
            payment_register(
                actor=None,
                company=company,
                direction="inbound",
                party_id=order.party_id,
                amount=invoice.total,
                journal_id=bank_id,
                date=today,
                invoice_ids=[invoice.pk],
                reference=invoice.number,
            )
        elif fate == "returned":
            line = order.lines.order_by("sequence").first()
            rma = services.order_return(
                actor=seller,
                company=company,
                order_id=order.pk,
                lines=[ReturnLineIn(order_line_id=line.pk, quantity=Decimal(1))],
                reason="Damaged in transport",
            )
            services.return_receive(actor=seller, company=company, return_id=rma.pk)


def build_sales(ctx: DemoContext) -> None:
    """Price lists, customer terms, 25 quotations and 20 orders from draft to paid, returned or held."""
    users = {role: ctx.users[role] for role in ("sales", "management", "operations") if role in ctx.users}
    warehouse_ids = ctx.records.get("inventory.warehouse", [])
    customers = list(
        Party.objects.filter(pk__in=ctx.records.get("organisations", []), roles__role="customer")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(users) < 3 or not warehouse_ids or not customers:
        return
    company, manager = ctx.company, users["management"]
    taxes = sales_taxes(company=company)
    vat = next((t for t in taxes if t.amount == 20), taxes[0] if taxes else None)
    services.settings_update(
        actor=manager,
        company=company,
        discount_limit=Decimal(10),
        credit_policy="approval",
        validity_days=30,
        default_tax_id=vat.pk if vat else None,
        warehouse_id=warehouse_ids[0],
    )
    shelf = _Shelf(ctx, users["operations"], warehouse_ids[0])
    if not shelf.ids:
        return
    groups = _price_lists(ctx, manager, shelf)
    wholesale = _terms(ctx, manager, customers, groups)
    orders = _quotations(ctx, users["sales"], manager, shelf, customers, wholesale)
    # The customer of the credit hold has no terms yet, so its limit is the only reason to hold.
    orders += _direct_orders(ctx, users["sales"], shelf, customers, wholesale, len(ORDER_PLAN) - len(orders))
    _play_orders(ctx, users, shelf, orders, groups)
    ctx.records["sales.quotations"] = list(Quotation.objects.filter(company=company).values_list("pk", flat=True))
    ctx.records["sales.orders"] = [o.pk for o in orders]


register_step("sales.orders", build_sales, order=500)
