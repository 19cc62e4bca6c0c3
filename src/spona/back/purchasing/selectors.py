"""Queries of purchasing, scoped to the caller's company and permission.

Stock figures come from inventory's selectors and supplier prices from its supplier offers;
other apps import this module (``from spona.back.purchasing import selectors``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory
from spona.back.purchasing.models import PurchaseBill, PurchaseLine, PurchaseOrder, PurchaseReceipt, PurchaseSettings, ReorderRule
from spona.back.purchasing.services.bills import MatchLine, match_lines
from spona.back.purchasing.services.common import purchase_taxes, settings_of
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor, exchange_rate_on

ZERO = Decimal(0)
OPEN_STATES = ("draft", "sent", "to_approve", "confirmed", "partial")


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> Page:
    """Keyset pagination on descending id (newest first); the cursor carries the last id."""
    if cursor:
        _, pk = decode_cursor(cursor)
        qs = qs.filter(pk__lt=pk)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


# Rules and replenishment -------------------------------------------------------------------


def rule_list(
    *, user: User, company: Company, q: str = "", warehouse_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Page:
    """List reorder rules newest first, by product SKU or name and warehouse."""
    require(user, "purchasing.view", company)
    qs = ReorderRule.objects.filter(company=company).select_related("product__uom", "warehouse")
    if q.strip():
        qs = qs.filter(Q(product__sku__icontains=q.strip()) | Q(product__name__icontains=q.strip()))
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return _page(qs, cursor, limit)


def rule_get(*, user: User, company: Company, rule_id: int) -> ReorderRule:
    require(user, "purchasing.view", company)
    rule = ReorderRule.objects.filter(pk=rule_id, company=company).select_related("product__uom", "warehouse").first()
    if rule is None:
        raise NotFound("No such reorder rule.")
    return rule


@dataclass(frozen=True)
class Level:
    """A rule's forecast: on hand − reserved for deliveries + still to come on open RFQs and orders."""

    on_hand: Decimal
    outgoing: Decimal
    incoming: Decimal

    @property
    def forecast(self) -> Decimal:
        return self.on_hand - self.outgoing + self.incoming


def _incoming(company: Company, rules: Sequence[ReorderRule]) -> dict[tuple[int, int], Decimal]:
    """What open RFQs and purchase orders still bring, per (product, warehouse), in stock units."""
    products = {r.product_id for r in rules}
    totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    lines = PurchaseLine.objects.filter(
        order__company=company, order__state__in=OPEN_STATES, product_id__in=products
    ).select_related("uom", "product__uom", "order")
    for line in lines:
        if line.to_receive > 0:
            totals[(line.product_id, line.order.warehouse_id)] += inventory.convert_quantity(
                line.to_receive, line.uom, line.product.uom
            )
    return totals


def forecasts(*, company: Company, rules: Sequence[ReorderRule]) -> dict[int, Level]:
    """Each rule's stock level in its warehouse (rules come with product and warehouse loaded)."""
    incoming = _incoming(company, rules)
    stocks = inventory_selectors.stock_levels(
        company=company, wanted=[(rule.product_id, rule.warehouse.view_location_id) for rule in rules]
    )
    levels = {}
    for rule in rules:
        stock = stocks[(rule.product_id, rule.warehouse.view_location_id)]
        levels[rule.pk] = Level(
            on_hand=stock.on_hand,
            outgoing=stock.reserved,
            incoming=incoming[(rule.product_id, rule.warehouse_id)],
        )
    return levels


@dataclass(frozen=True)
class Proposal:
    """What replenishment proposes for one rule: buy ``quantity`` (stock unit) from the best supplier."""

    rule_id: int
    product_id: int
    sku: str
    product_name: str
    unit: str
    warehouse_id: int
    warehouse: str
    min_quantity: Decimal
    max_quantity: Decimal
    on_hand: Decimal
    outgoing: Decimal
    incoming: Decimal
    forecast: Decimal
    quantity: Decimal
    purchase_quantity: Decimal
    purchase_uom_id: int
    purchase_unit: str
    supplier_id: int | None
    supplier: str
    unit_price: Decimal | None
    currency: str
    lead_time_days: int
    order_by: dt.date
    arrives_on: dt.date


def _round_up(quantity: Decimal, step: Decimal) -> Decimal:
    return (quantity / step).to_integral_value(rounding=ROUND_CEILING) * step


def _best_offer(company: Company, offers: list[Any], on: dt.date, rates: dict[str, Decimal | None]) -> Any:
    """The cheapest offer in company currency at the quantity; the preferred supplier among equals.

    ``rates`` remembers each currency's rate (None: unknown) across the calls of one report.
    """

    def cost(item: tuple[int, Any]) -> tuple[Decimal, int, int]:
        index, offer = item
        if offer.currency not in rates:
            try:
                rates[offer.currency] = exchange_rate_on(company=company, currency=offer.currency, on=on)
            except ValidationFailed:
                rates[offer.currency] = None
        rate = rates[offer.currency]
        if rate is None:
            return Decimal("Infinity"), offer.lead_time_days, index
        return offer.unit_price * rate, offer.lead_time_days, index

    return min(enumerate(offers), key=cost)[1] if offers else None


def replenishment(*, user: User | None, company: Company, warehouse_id: int | None = None) -> list[Proposal]:
    """Propose purchases for every active rule whose forecast is below its minimum.

    The quantity brings the forecast up to the maximum, rounded up to the rule's multiple, then
    to the purchase unit. The supplier is the cheapest at that quantity (price breaks, in company
    currency), the preferred one among equals; the order-by date is today and the goods arrive
    after the supplier's lead time. Without a supplier the proposal has none (buy by hand).
    """
    if user is not None:
        require(user, "purchasing.view", company)
    rules_qs = ReorderRule.objects.filter(company=company, is_active=True).select_related(
        "product__uom", "product__purchase_uom", "warehouse"
    )
    if warehouse_id:
        rules_qs = rules_qs.filter(warehouse_id=warehouse_id)
    rules = list(rules_qs.order_by("product__sku", "pk"))
    levels = forecasts(company=company, rules=rules)
    today = timezone.localdate()
    needed = []
    for rule in rules:
        level = levels[rule.pk]
        if level.forecast >= rule.min_quantity:
            continue
        product = rule.product
        quantity = _round_up(rule.max_quantity - level.forecast, rule.multiple)
        purchase_quantity = inventory.convert_quantity(quantity, product.uom, product.purchase_uom)
        if inventory.convert_quantity(purchase_quantity, product.purchase_uom, product.uom) < quantity:
            purchase_quantity += product.purchase_uom.rounding
        needed.append((rule, level, quantity, purchase_quantity))
    offers = inventory_selectors.supplier_offers_many(
        company=company, wanted=[(rule.product_id, purchase_quantity) for rule, _l, _q, purchase_quantity in needed]
    )
    rates: dict[str, Decimal | None] = {}
    chosen = [
        (
            rule,
            level,
            quantity,
            purchase_quantity,
            _best_offer(company, offers[(rule.product_id, purchase_quantity)], today, rates),
        )
        for rule, level, quantity, purchase_quantity in needed
    ]
    names = dict(
        Party.objects.filter(company=company, pk__in={o.supplier_id for *_x, o in chosen if o}).values_list("pk", "name")
    )
    proposals = []
    for rule, level, quantity, purchase_quantity, offer in chosen:
        product = rule.product
        lead = offer.lead_time_days if offer else 0
        proposals.append(
            Proposal(
                rule_id=rule.pk,
                product_id=product.pk,
                sku=product.sku,
                product_name=product.name,
                unit=product.uom.name,
                warehouse_id=rule.warehouse_id,
                warehouse=rule.warehouse.code,
                min_quantity=rule.min_quantity,
                max_quantity=rule.max_quantity,
                on_hand=level.on_hand,
                outgoing=level.outgoing,
                incoming=level.incoming,
                forecast=level.forecast,
                quantity=quantity,
                purchase_quantity=purchase_quantity,
                purchase_uom_id=product.purchase_uom_id,
                purchase_unit=product.purchase_uom.name,
                supplier_id=offer.supplier_id if offer else None,
                supplier=names.get(offer.supplier_id, "") if offer else "",
                unit_price=offer.unit_price if offer else None,
                currency=offer.currency if offer else company.base_currency,
                lead_time_days=lead,
                order_by=today,
                arrives_on=today + dt.timedelta(days=lead),
            )
        )
    return proposals


# Orders ------------------------------------------------------------------------------------


def order_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    state: str = "",
    supplier_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List RFQs and purchase orders newest first, by number, supplier name or reference, state and supplier."""
    require(user, "purchasing.view", company)
    qs = PurchaseOrder.objects.filter(company=company).select_related("supplier", "warehouse")
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(number__icontains=term) | Q(supplier__name__icontains=term) | Q(supplier_reference__icontains=term))
    if state == "rfq":
        qs = qs.filter(state__in=PurchaseOrder.OPEN_RFQ)
    elif state:
        qs = qs.filter(state=state)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return _page(qs, cursor, limit)


def order_get(*, user: User, company: Company, order_id: int) -> PurchaseOrder:
    """One order of the company with its lines (products, units, taxes), receipts and bills."""
    require(user, "purchasing.view", company)
    order = (
        PurchaseOrder.objects.filter(pk=order_id, company=company)
        .select_related("supplier", "warehouse", "receipt", "created_by")
        .prefetch_related("lines__product", "lines__uom", "lines__taxes", "receipts", "bills__invoice")
        .first()
    )
    if order is None:
        raise NotFound("No such purchase order.")
    return order


def order_match(*, user: User, company: Company, order_id: int) -> list[MatchLine]:
    """The three-way match of an order (ordered, received, billed; prices and flags per line)."""
    order = order_get(user=user, company=company, order_id=order_id)
    return match_lines(order)


def bill_get(*, user: User, company: Company, bill_id: int) -> PurchaseBill:
    require(user, "purchasing.view", company)
    bill = PurchaseBill.objects.filter(pk=bill_id, company=company).select_related("order", "invoice").first()
    if bill is None:
        raise NotFound("No such vendor bill.")
    return bill


def supplier_orders(*, user: User, company: Company, party_id: int, limit: int = 5) -> list[PurchaseOrder]:
    """A supplier's latest orders (for the 360° page)."""
    require(user, "purchasing.view", company)
    return list(PurchaseOrder.objects.filter(company=company, supplier_id=party_id).order_by("-pk")[:limit])


def tax_choices(*, user: User, company: Company) -> list[Any]:
    require(user, "purchasing.view", company)
    return list(purchase_taxes(company).values())


def settings_get(*, user: User, company: Company) -> PurchaseSettings:
    require(user, "purchasing.view", company)
    return settings_of(company)


# Supplier performance ------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierPerformance:
    """How a supplier delivered in a period: punctuality from receipts, price variance from bills."""

    supplier_id: int
    supplier: str
    receipts: int
    on_time: int
    average_delay_days: Decimal
    billed_amount: Decimal
    price_variance: Decimal

    @property
    def on_time_rate(self) -> Decimal:
        """Share of receipts on or before the expected date, in per cent (one decimal)."""
        return (Decimal(100) * self.on_time / self.receipts).quantize(Decimal("0.1")) if self.receipts else ZERO

    @property
    def price_variance_rate(self) -> Decimal:
        """Price variance as a share of what the billed quantities cost at the ordered prices, in per cent."""
        return (Decimal(100) * self.price_variance / self.billed_amount).quantize(Decimal("0.01")) if self.billed_amount else ZERO


def supplier_performance(
    *, user: User, company: Company, date_from: dt.date, date_to: dt.date, supplier_id: int | None = None
) -> list[SupplierPerformance]:
    """On-time rate, average delay and price variance per supplier over receipts and bills in the period.

    Receipts count by their date; price variance by the orders billed on bills dated in the
    period, at ordered against billed unit prices (order currency). Raises ValidationFailed for
    a period that ends before it starts.
    """
    require(user, "purchasing.view", company)
    if date_to < date_from:
        raise ValidationFailed("The period ends before it starts.", field_errors={"date_to": ["Before the start."]})
    receipts = PurchaseReceipt.objects.filter(company=company, received_on__range=(date_from, date_to))
    if supplier_id:
        receipts = receipts.filter(order__supplier_id=supplier_id)
    stats: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in receipts.values("order__supplier_id", "on_time", "delay_days"):
        s = stats[row["order__supplier_id"]]
        s[0] += 1
        s[1] += int(row["on_time"])
        s[2] += row["delay_days"]
    bills = PurchaseBill.objects.filter(company=company, invoice__invoice_date__range=(date_from, date_to)).exclude(
        invoice__state="cancelled"
    )
    if supplier_id:
        bills = bills.filter(order__supplier_id=supplier_id)
    variance: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    orders = PurchaseOrder.objects.filter(pk__in=bills.values("order_id")).prefetch_related("lines__uom")
    for order in orders:
        for m in match_lines(order):
            v = variance[order.supplier_id]
            v[0] += m.order_price * m.billed
            v[1] += m.price_variance
    names = dict(Party.objects.filter(company=company, pk__in=set(stats) | set(variance)).values_list("pk", "name"))
    rows = []
    for sid in sorted(set(stats) | set(variance), key=lambda i: (names.get(i, ""), i)):
        count, on_time, delay = stats.get(sid, [0, 0, 0])
        billed, diff = variance.get(sid, [ZERO, ZERO])
        rows.append(
            SupplierPerformance(
                supplier_id=sid,
                supplier=names.get(sid, ""),
                receipts=count,
                on_time=on_time,
                average_delay_days=(Decimal(delay) / count).quantize(Decimal("0.1")) if count else ZERO,
                billed_amount=billed.quantize(Decimal("0.01")),
                price_variance=diff.quantize(Decimal("0.01")),
            )
        )
    return rows


# Choices for forms -----------------------------------------------------------------------------


def product_choices(*, user: User, company: Company) -> list[tuple[int, str]]:
    """Active stocked products of the company, as (id, "[SKU] name")."""
    require(user, "purchasing.view", company)
    model = PurchaseLine._meta.get_field("product").related_model
    rows = model.objects.filter(company=company, is_active=True).exclude(kind="service").order_by("sku")
    return [(p.pk, str(p)) for p in rows.only("pk", "sku", "name")]


def warehouse_choices(*, user: User, company: Company) -> list[tuple[int, str]]:
    require(user, "purchasing.view", company)
    model = PurchaseOrder._meta.get_field("warehouse").related_model
    return [(w.pk, f"{w.code} · {w.name}") for w in model.objects.filter(company=company, is_active=True).order_by("code")]


def supplier_choices(*, user: User, company: Company, include: int | None = None) -> list[tuple[int, str]]:
    """Parties with the supplier role (and ``include``, the one already chosen), by name."""
    require(user, "purchasing.view", company)
    qs = Party.objects.filter(company=company, merged_into__isnull=True).filter(Q(roles__role="supplier") | Q(pk=include or 0))
    return [(p.pk, p.name) for p in qs.distinct().order_by("name", "pk")]
