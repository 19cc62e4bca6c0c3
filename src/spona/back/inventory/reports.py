"""Inventory reports: valuation against the ledger, turnover, slow movers, stock-out forecast.

Reads only, like ``selectors``: scoped to the caller's company and checked against
``inventory.view``. Values come from the valuation layers (``services/valuation.py``); the
ledger's side from finance's selectors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q
from django.utils import timezone

from spona.back.finance.selectors import account_balance, account_for_role
from spona.back.inventory.models import (
    Location,
    Product,
    Reservation,
    StockMove,
    StockQuant,
    Transfer,
    ValuationLayer,
    Warehouse,
)
from spona.core.aggregates import ExactSum
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.money import quantum
from spona.core.permissions import require

ZERO = Decimal(0)
GROUPS = ("product", "category", "warehouse")
NO_CATEGORY, NO_WAREHOUSE = "—", "—"


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the current time zone (moves are dated by their local day)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


# Valuation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuationRow:
    """Stock quantity and value of one product, category or warehouse on the report's date."""

    key: str
    label: str
    quantity: Decimal
    value: Decimal
    product_id: int | None = None
    unit: str = ""


@dataclass
class ValuationReport:
    """The stock's value as of a date, grouped, against the ledger's stock account."""

    as_of: dt.date
    group_by: str
    rows: list[ValuationRow]
    total: Decimal
    currency: str
    ledger_balance: Decimal | None
    unposted: Decimal
    account: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        return None if self.ledger_balance is None else self.total - self.ledger_balance

    @property
    def reconciled(self) -> bool:
        return self.difference == 0


def _product_totals(company: Company, as_of: dt.date) -> dict[int, tuple[Decimal, Decimal]]:
    rows = (
        ValuationLayer.objects.filter(company=company, date__lte=as_of)
        .values("product_id")
        .annotate(q=ExactSum("quantity"), v=ExactSum("value"))
        .values_list("product_id", "q", "v")
    )
    return {pk: (q or ZERO, v or ZERO) for pk, q, v in rows}


def _warehouse_quantities(company: Company, as_of: dt.date) -> dict[tuple[int, int | None], Decimal]:
    """On hand per (product, warehouse) at the end of ``as_of``, from the done moves."""
    end = _end_of(as_of)
    done = StockMove.objects.filter(company=company, state=StockMove.State.DONE, done_at__lt=end, product__kind="goods")
    held = Q(kind__in=Location.HOLDS_STOCK)
    stock_ids = set(Location.objects.filter(held, company=company).values_list("pk", flat=True))
    totals: dict[tuple[int, int | None], Decimal] = defaultdict(Decimal)
    for side, sign in (("to_location", 1), ("from_location", -1)):
        rows = (
            done.filter(**{f"{side}_id__in": stock_ids})
            .values("product_id", f"{side}__warehouse_id")
            .annotate(q=ExactSum("quantity"))
            .values_list("product_id", f"{side}__warehouse_id", "q")
        )
        for product_id, warehouse_id, quantity in rows:
            totals[(product_id, warehouse_id)] += sign * (quantity or ZERO)
    return totals


def _split(value: Decimal, parts: list[tuple[int | None, Decimal]], cent: Decimal) -> dict[int | None, Decimal]:
    """Share a product's value among warehouses by quantity; the last one takes the rounding rest."""
    whole = sum((q for _, q in parts), ZERO)
    shares: dict[int | None, Decimal] = {}
    left = value
    for i, (key, quantity) in enumerate(parts):
        if i == len(parts) - 1 or whole == 0:
            shares[key] = left
            break
        share = (value * quantity / whole).quantize(cent, rounding=ROUND_HALF_UP)
        shares[key] = share
        left -= share
    return shares


def _ledger(company: Company, as_of: dt.date) -> tuple[Decimal | None, str]:
    account = account_for_role(company=company, role="stock")
    if account is None:
        return None, ""
    return account_balance(company=company, account_id=account.pk, date_to=as_of), f"{account.code} {account.name}"


def valuation_report(*, user: User | None, company: Company, as_of: dt.date, group_by: str = "product") -> ValuationReport:
    """Value the stock as of the end of ``as_of`` by product, category or warehouse, next to the ledger.

    The total is Σ of the valuation layers up to that day; the ledger's side is the posted
    balance of the stock account on that day. They agree to the cent when every layer was
    posted; layers of a company whose ledger was not set up are shown as unposted. By
    warehouse, a product's value is shared among warehouses by quantity on hand.
    """
    if user is not None:
        require(user, "inventory.view", company)
    if group_by not in GROUPS:
        raise ValidationFailed("Group by product, category or warehouse.", field_errors={"group_by": ["Unknown grouping."]})
    totals = _product_totals(company, as_of)
    products = {p.pk: p for p in Product.objects.filter(company=company, pk__in=totals).select_related("category", "uom")}
    rows: list[ValuationRow]
    if group_by == "product":
        rows = [
            ValuationRow(str(pk), f"[{p.sku}] {p.name}", totals[pk][0], totals[pk][1], pk, p.uom.name)
            for pk, p in sorted(products.items(), key=lambda item: item[1].sku)
            if totals[pk] != (ZERO, ZERO)
        ]
    elif group_by == "category":
        grouped: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for pk, (quantity, value) in totals.items():
            name = products[pk].category.name if products[pk].category else NO_CATEGORY
            grouped[name][0] += quantity
            grouped[name][1] += value
        rows = [ValuationRow(name, name, q, v) for name, (q, v) in sorted(grouped.items()) if (q, v) != (ZERO, ZERO)]
    else:
        cent = quantum(company.base_currency)
        names = {w.pk: f"{w.code} {w.name}" for w in Warehouse.objects.filter(company=company)}
        per_product: dict[int, list[tuple[int | None, Decimal]]] = defaultdict(list)
        for (product_id, warehouse_id), quantity in sorted(
            _warehouse_quantities(company, as_of).items(), key=lambda item: (item[0][0], item[0][1] or 0)
        ):
            if quantity:
                per_product[product_id].append((warehouse_id, quantity))
        by_warehouse: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for pk, (quantity, value) in totals.items():
            parts = per_product.get(pk) or [(None, quantity)]
            for warehouse_id, share in _split(value, parts, cent).items():
                by_warehouse[warehouse_id][1] += share
            for warehouse_id, part in parts:
                by_warehouse[warehouse_id][0] += part
        rows = [
            ValuationRow(str(w or ""), names.get(w, NO_WAREHOUSE) if w else NO_WAREHOUSE, q, v)
            for w, (q, v) in sorted(by_warehouse.items(), key=lambda item: names.get(item[0], "~") if item[0] else "~")
            if (q, v) != (ZERO, ZERO)
        ]
    total = sum((v for _, v in totals.values()), ZERO)
    unposted = (
        ValuationLayer.objects.filter(company=company, date__lte=as_of, entry__isnull=True).aggregate(v=ExactSum("value"))["v"]
        or ZERO
    )
    balance, account = _ledger(company, as_of)
    notes = []
    if balance is None:
        notes.append("The ledger has no stock account: set up the chart of accounts to post the stock's value.")
    elif unposted:
        notes.append("Part of the stock's value was valued while the ledger was not set up and was never posted.")
    return ValuationReport(as_of, group_by, rows, total, company.base_currency, balance, unposted, account, notes)


def valuation_check(company: Company) -> list[str]:
    """List every way the stock's value disagrees with itself or with the ledger (empty: all agree).

    - Σ layer quantities per product = on hand in the company's stock (internal and transit);
    - each product's running balance (its last layer) = Σ of its layers;
    - a FIFO product's open layers hold exactly its stock when the stock is not negative;
    - Σ layer values = the stock account's posted balance, when the ledger is set up.
    """
    problems: list[str] = []
    layers = (
        ValuationLayer.objects.filter(company=company)
        .values("product_id")
        .annotate(q=ExactSum("quantity"), v=ExactSum("value"), last=Max("id"), rq=ExactSum("remaining_quantity"))
        .annotate(rv=ExactSum("remaining_value"))
    )
    by_product = {row["product_id"]: row for row in layers}
    last = {
        layer.pk: layer
        for layer in ValuationLayer.objects.filter(pk__in=[row["last"] for row in by_product.values()]).select_related(
            "product__category"
        )
    }
    on_hand = dict(
        StockQuant.objects.filter(company=company, location__kind__in=Location.HOLDS_STOCK, product__kind="goods")
        .values("product_id")
        .annotate(q=ExactSum("quantity"))
        .values_list("product_id", "q")
    )
    for product_id in sorted(set(by_product) | {pk for pk, q in on_hand.items() if q}):
        row = by_product.get(product_id, {"q": ZERO, "v": ZERO, "last": None, "rq": ZERO, "rv": ZERO})
        stock = on_hand.get(product_id) or ZERO
        if (row["q"] or ZERO) != stock:
            problems.append(f"product {product_id}: layers hold {row['q'] or ZERO} units but {stock} are on hand")
        layer = last.get(row["last"])
        if layer is None:
            continue
        if (layer.balance_quantity, layer.balance_value) != (row["q"], row["v"]):
            problems.append(
                f"product {product_id}: running balance {layer.balance_quantity} / {layer.balance_value} "
                f"but layers add up to {row['q']} / {row['v']}"
            )
        category = layer.product.category
        is_fifo = category is not None and category.costing_method == "fifo"
        if is_fifo and row["q"] >= 0 and (row["rq"], row["rv"]) != (row["q"], row["v"]):
            problems.append(
                f"product {product_id}: FIFO layers keep {row['rq']} / {row['rv']} but the stock is {row['q']} / {row['v']}"
            )
    balance, _account = _ledger(company, timezone.localdate())
    if balance is not None:
        total = ValuationLayer.objects.filter(company=company).aggregate(v=ExactSum("value"))["v"] or ZERO
        if total != balance:
            problems.append(f"stock valued at {total} but the ledger's stock account holds {balance}")
    return problems


# Turnover and slow movers --------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoverRow:
    """How often a product's average stock was sold (at cost) in a period."""

    product_id: int
    sku: str
    name: str
    cogs: Decimal
    opening: Decimal
    closing: Decimal

    @property
    def average(self) -> Decimal:
        return (self.opening + self.closing) / 2

    @property
    def turnover(self) -> Decimal | None:
        """COGS / average stock value; None without stock to turn."""
        if self.average <= 0:
            return None
        return (self.cogs / self.average).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def turnover(*, user: User | None, company: Company, date_from: dt.date, date_to: dt.date) -> list[TurnoverRow]:
    """Turnover per product in a period: cost of goods sold ÷ average stock value (opening + closing) / 2.

    Cost of goods sold is the value delivered to customers less the value of their returns.
    Products with neither stock nor sales in the period are left out; best turning first.
    """
    if user is not None:
        require(user, "inventory.view", company)
    if date_from > date_to:
        raise ValidationFailed("The start date is after the end date.", field_errors={"date_from": ["After the end date."]})
    opening = _product_totals(company, date_from - dt.timedelta(days=1))
    closing = _product_totals(company, date_to)
    to_customers = Q(move__to_location__kind=Location.Kind.CUSTOMER) | Q(move__from_location__kind=Location.Kind.CUSTOMER)
    sold = dict(
        ValuationLayer.objects.filter(to_customers, company=company, date__gte=date_from, date__lte=date_to)
        .values("product_id")
        .annotate(v=ExactSum("value"))
        .values_list("product_id", "v")
    )
    ids = set(opening) | set(closing) | set(sold)
    products = {p.pk: p for p in Product.objects.filter(company=company, pk__in=ids)}
    rows = [
        TurnoverRow(
            pk,
            products[pk].sku,
            products[pk].name,
            -(sold.get(pk) or ZERO),
            opening.get(pk, (ZERO, ZERO))[1],
            closing.get(pk, (ZERO, ZERO))[1],
        )
        for pk in ids
    ]
    rows = [r for r in rows if r.cogs or r.opening or r.closing]
    return sorted(rows, key=lambda r: (-(r.turnover or Decimal(-1)), r.sku))


@dataclass(frozen=True)
class SlowMover:
    """A product in stock that has not gone out for a while, with what it ties up."""

    product_id: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    value: Decimal
    last_out: dt.date | None

    def idle_days(self, today: dt.date) -> int | None:
        return None if self.last_out is None else (today - self.last_out).days


def slow_movers(*, user: User | None, company: Company, days: int, as_of: dt.date | None = None) -> list[SlowMover]:
    """Products on hand with no move out of the company's stock in the last ``days`` days, most value first.

    "Out" means delivered, consumed by production or written off: a move from an internal
    or transit location to a location that holds no stock. Value is the current stock value.
    """
    if user is not None:
        require(user, "inventory.view", company)
    if not 1 <= days <= 3650:
        raise ValidationFailed("Give between 1 and 3,650 days.", field_errors={"days": ["Between 1 and 3650."]})
    today = as_of or timezone.localdate()
    since = _end_of(today - dt.timedelta(days=days))
    totals = (
        StockQuant.objects.filter(company=company, location__kind__in=Location.HOLDS_STOCK, product__kind="goods")
        .values("product_id")
        .annotate(q=ExactSum("quantity"))
        .values_list("product_id", "q")
    )
    # Filtered here, not in SQL: SQLite's exact sum is a scaled integer that HAVING cannot compare.
    on_hand = {pk: q for pk, q in totals if q and q > 0}
    out = StockMove.objects.filter(
        company=company,
        state=StockMove.State.DONE,
        product_id__in=on_hand,
        from_location__kind__in=Location.HOLDS_STOCK,
    ).exclude(to_location__kind__in=Location.HOLDS_STOCK)
    last_out = dict(out.values("product_id").annotate(last=Max("done_at")).values_list("product_id", "last"))
    values = {pk: v for pk, (_q, v) in _product_totals(company, today).items()}
    products = {p.pk: p for p in Product.objects.filter(company=company, pk__in=on_hand).select_related("uom")}
    rows = [
        SlowMover(
            pk,
            products[pk].sku,
            products[pk].name,
            products[pk].uom.name,
            quantity,
            values.get(pk, ZERO),
            timezone.localdate(last_out[pk]) if last_out.get(pk) else None,
        )
        for pk, quantity in on_hand.items()
        if last_out.get(pk) is None or last_out[pk] < since
    ]
    return sorted(rows, key=lambda r: (-r.value, r.sku))


# Stock-out forecast ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortage:
    """A product whose open outgoing documents will take more than on hand plus what is coming, and when."""

    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    incoming: Decimal
    outgoing: Decimal
    stockout_on: dt.date
    short_by: Decimal
    next_receipt: dt.date | None


def _open_lines(company: Company, warehouse_id: int | None) -> Iterable[tuple[int, Decimal, dt.date | None, bool]]:
    """(product, quantity still to move, date, incoming?) of every open receipt and delivery."""
    transfers = Transfer.objects.filter(
        company=company, state__in=(Transfer.State.DRAFT, Transfer.State.CONFIRMED), kind__in=("receipt", "delivery")
    )
    if warehouse_id is not None:
        transfers = transfers.filter(warehouse_id=warehouse_id)
    moves = (
        StockMove.objects.filter(transfer__in=transfers, state=StockMove.State.DRAFT, product__kind="goods")
        .values_list("product_id", "quantity", "transfer__scheduled_date", "transfer__kind")
        .order_by()
    )
    for product_id, quantity, day, kind in moves:
        yield product_id, quantity, day, kind == Transfer.Kind.RECEIPT
    # Draft transfers have no planned moves yet: their lines are the plan.
    drafts = (
        transfers.filter(state=Transfer.State.DRAFT, lines__product__kind="goods")
        .values_list("lines__product_id", "lines__quantity", "scheduled_date", "kind")
        .order_by()
    )
    for product_id, quantity, day, kind in drafts:
        yield product_id, quantity, day, kind == Transfer.Kind.RECEIPT


def stockout_forecast(
    *, user: User | None, company: Company, warehouse_id: int | None = None, today: dt.date | None = None
) -> list[Shortage]:
    """Forecast, day by day, which products run out: on hand + receipts due − deliveries due − other reservations.

    Open receipts and deliveries count on their scheduled date (today when none or past);
    reservations made outside a transfer (a sales order holding stock) count today. A product
    appears on the first day its projected stock falls below zero, with the shortfall that
    day and the next receipt that might cover it. Soonest stock-out first.
    """
    if user is not None:
        require(user, "inventory.view", company)
    today = today or timezone.localdate()
    events: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for product_id, quantity, day, incoming in _open_lines(company, warehouse_id):
        events[product_id].append((max(day or today, today), quantity if incoming else -quantity))
    reservations = Reservation.objects.filter(
        company=company, state=Reservation.State.OPEN, transfer_line__isnull=True, product__kind="goods"
    )
    if warehouse_id is not None:
        reservations = reservations.filter(location__warehouse_id=warehouse_id)
    for product_id, quantity in reservations.values_list("product_id", "quantity"):
        events[product_id].append((today, -quantity))
    quants = StockQuant.objects.filter(company=company, product_id__in=events, location__kind=Location.Kind.INTERNAL)
    if warehouse_id is not None:
        quants = quants.filter(location__warehouse_id=warehouse_id)
    on_hand = dict(quants.values("product_id").annotate(q=ExactSum("quantity")).values_list("product_id", "q"))
    products = {p.pk: p for p in Product.objects.filter(company=company, pk__in=events).select_related("uom")}
    rows = []
    for product_id, changes in events.items():
        start = on_hand.get(product_id) or ZERO
        level = start
        # Receipts before deliveries on the same day: what arrives in the morning can leave that day.
        changes.sort(key=lambda c: (c[0], -c[1]))
        out_on = short = None
        for day, change in changes:
            level += change
            if level < 0 and out_on is None:
                out_on, short = day, -level
        if out_on is None or short is None:
            continue
        product = products[product_id]
        later = [day for day, change in changes if change > 0 and day >= out_on]
        rows.append(
            Shortage(
                product_id,
                product.sku,
                product.name,
                product.uom.name,
                start,
                sum((c for _, c in changes if c > 0), ZERO),
                -sum((c for _, c in changes if c < 0), ZERO),
                out_on,
                short,
                min(later) if later else None,
            )
        )
    return sorted(rows, key=lambda r: (r.stockout_on, r.sku))
