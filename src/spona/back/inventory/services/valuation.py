"""Stock valuation: the value of every done move across the border of the company's stock, and its entry.

A move is valued when exactly one side holds stock (internal or transit): it brings value in
or takes value out. Goods only; consumables are expensed when bought and services have no
stock. What comes in is valued at

- the move's unit cost when it comes from the suppliers or from production (the purchase
  price, or the production cost rolled up by production);
- the product's current cost when it comes back from the customers (a return) or appears in
  a count: the stock then keeps its average, and no price difference arises.

What goes out leaves at the running average of the product's stock (``average``) or at the
cost of the oldest receipts still in stock (``fifo``), chosen on the product's category.
Amounts are rounded half up to the company currency's precision on each layer; the last unit
out takes the whole rest, so stock never holds value without quantity nor more value than
was put in.

Each call values the moves of one document (a transfer, a count, a production step) in a
few queries and posts one entry in the stock journal ``STK`` through finance's services:
the stock account against the account of the other side (suppliers → goods received not
invoiced, customers → cost of goods sold, inventory loss → stock losses, production → work
in progress). A company without a chart of accounts gets layers and no entry; the valuation
report shows the difference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max
from django.utils import timezone

from spona.back.finance.selectors import accounts_for_roles
from spona.back.finance.services import LineIn, entry_create, journal_ensure
from spona.back.inventory.models import Location, Product, ProductCategory, StockMove, ValuationLayer
from spona.core.models import Company
from spona.core.money import quantum

ZERO = Decimal(0)
UNIT_COST = Decimal("0.0001")
JOURNAL_CODE, JOURNAL_NAME = "STK", "Stock valuation"
# The account that takes the other side of the stock account, by the kind of the location
# the stock came from or went to.
COUNTERPART = {
    Location.Kind.SUPPLIER: "stock_input",
    Location.Kind.CUSTOMER: "cogs",
    Location.Kind.INVENTORY_LOSS: "stock_loss",
    Location.Kind.PRODUCTION: "wip",
}
# Stock from these comes in at the move's own unit cost; from the others at the current cost.
PRICED_SOURCES = (Location.Kind.SUPPLIER, Location.Kind.PRODUCTION)


@dataclass
class Balance:
    """A product's stock quantity and value so far, and the unit cost it was last valued at."""

    quantity: Decimal = ZERO
    value: Decimal = ZERO
    last_cost: Decimal | None = None

    def unit_cost(self, product: Product) -> Decimal:
        """The product's current cost: average of the stock, else the last cost, else its cost price."""
        if self.quantity > 0 and self.value >= 0:
            return (self.value / self.quantity).quantize(UNIT_COST, rounding=ROUND_HALF_UP)
        return self.last_cost if self.last_cost is not None else product.cost_price


def balances(company: Company, product_ids: Sequence[int]) -> dict[int, Balance]:
    """The running balance of each product, read from its last layer (two queries)."""
    last_ids = (
        ValuationLayer.objects.filter(company=company, product_id__in=product_ids)
        .values("product_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    found = {
        layer.product_id: Balance(layer.balance_quantity, layer.balance_value, layer.unit_cost)
        for layer in ValuationLayer.objects.filter(pk__in=list(last_ids))
    }
    return {pk: found.get(pk, Balance()) for pk in product_ids}


def is_valued(move: StockMove, product: Product) -> bool:
    """Tell whether the move changes the value of the company's stock (exactly one side holds stock)."""
    return product.kind == Product.Kind.GOODS and move.from_location.holds_stock() != move.to_location.holds_stock()


def is_fifo(product: Product) -> bool:
    return product.category is not None and product.category.costing_method == ProductCategory.CostingMethod.FIFO


class Valuer:
    """Values the moves of one document in memory, then writes the layers in bulk."""

    def __init__(self, company: Company, products: dict[int, Product], moves: list[StockMove]):
        self.company = company
        self.products = products
        self.quantum = quantum(company.base_currency)
        self.balances = balances(company, sorted({m.product_id for m in moves}))
        fifo_out = {m.product_id for m in moves if m.from_location.holds_stock() and is_fifo(products[m.product_id])}
        self.open: dict[int, list[ValuationLayer]] = defaultdict(list)
        for layer in ValuationLayer.objects.filter(product_id__in=fifo_out, remaining_quantity__gt=0).order_by("id"):
            self.open[layer.product_id].append(layer)
        self.touched: dict[int, ValuationLayer] = {}

    def round(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.quantum, rounding=ROUND_HALF_UP)

    def share(self, value: Decimal, part: Decimal, whole: Decimal) -> Decimal:
        """``part`` of ``whole`` units worth ``value``: all of it for the last unit, else rounded."""
        return value if part == whole else self.round(value * part / whole)

    def incoming(self, move: StockMove, product: Product, balance: Balance) -> ValuationLayer:
        source = move.from_location.kind
        unit = move.unit_cost if source in PRICED_SOURCES else balance.unit_cost(product)
        value = self.round(move.quantity * unit)
        layer = self.layer(move, move.to_location, move.quantity, unit, value)
        if is_fifo(product):
            # Stock that was negative takes the first units of a receipt: they are gone already.
            gone = min(max(-balance.quantity, ZERO), move.quantity)
            layer.remaining_quantity = move.quantity - gone
            layer.remaining_value = value - self.share(value, gone, move.quantity) if gone else value
            self.open[product.pk].append(layer)
        return layer

    def outgoing(self, move: StockMove, product: Product, balance: Balance) -> ValuationLayer:
        quantity, value, missing = move.quantity, ZERO, move.quantity
        if is_fifo(product):
            for layer in self.open[product.pk]:
                if missing == 0:
                    break
                if layer.remaining_quantity == 0:
                    continue
                part = min(layer.remaining_quantity, missing)
                taken = self.share(layer.remaining_value, part, layer.remaining_quantity)
                layer.remaining_quantity -= part
                layer.remaining_value -= taken
                if layer.pk is not None:
                    layer.updated_at = timezone.now()
                    self.touched[layer.pk] = layer
                value += taken
                missing -= part
        elif balance.quantity > 0:
            part = min(balance.quantity, quantity)
            value = self.share(balance.value, part, balance.quantity)
            missing = quantity - part
        if missing:
            # Negative stock (only where the product allows it): the shortfall leaves at the current cost.
            value += self.round(missing * balance.unit_cost(product))
        unit = (value / quantity).quantize(UNIT_COST, rounding=ROUND_HALF_UP) if value >= 0 else balance.unit_cost(product)
        return self.layer(move, move.from_location, -quantity, unit, -value)

    def layer(self, move: StockMove, location: Location, quantity: Decimal, unit: Decimal, value: Decimal) -> ValuationLayer:
        balance = self.balances[move.product_id]
        balance.quantity += quantity
        balance.value += value
        balance.last_cost = unit
        return ValuationLayer(
            company=self.company,
            product_id=move.product_id,
            move=move,
            location=location,
            date=timezone.localdate(move.done_at),
            quantity=quantity,
            unit_cost=unit,
            value=value,
            balance_quantity=balance.quantity,
            balance_value=balance.value,
        )

    def value(self, move: StockMove) -> ValuationLayer:
        product = self.products[move.product_id]
        balance = self.balances[move.product_id]
        if move.to_location.holds_stock():
            return self.incoming(move, product, balance)
        return self.outgoing(move, product, balance)


def _entry_lines(layers: list[ValuationLayer], moves: dict[int, StockMove]) -> dict[str, Decimal]:
    """Net value into stock per counterpart role (negative: out of stock)."""
    net: dict[str, Decimal] = defaultdict(Decimal)
    for layer in layers:
        move = moves[layer.move_id]
        other = move.from_location if layer.quantity > 0 else move.to_location
        net[COUNTERPART.get(other.kind, "stock_loss")] += layer.value
    return {role: amount for role, amount in net.items() if amount}


def _post(
    company: Company, net: dict[str, Decimal], *, date: dt.date, reference: str, memo: str, source: str, party_id: int | None
) -> int | None:
    """Post the stock entry of one document; None when the ledger is not set up (no chart, a role missing)."""
    roles = {"stock", *net}
    accounts = accounts_for_roles(company=company, roles=roles)
    if len(accounts) < len(roles):
        return None
    journal_id = journal_ensure(company=company, code=JOURNAL_CODE, name=JOURNAL_NAME)
    if journal_id is None:
        return None
    stock = accounts["stock"]
    lines = []
    for role, amount in sorted(net.items()):
        account = accounts[role]
        label = f"{reference} {account.name}"
        into, out = (stock, account) if amount > 0 else (account, stock)
        lines.append(LineIn(account_id=into.pk, debit=abs(amount), label=label))
        lines.append(LineIn(account_id=out.pk, credit=abs(amount), label=label))
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal_id,
        date=date,
        lines=lines,
        reference=reference,
        memo=memo,
        party_id=party_id,
        source=source,
        post=True,
    )
    return entry.pk


def value_moves(
    *, company: Company, moves: Sequence[StockMove], reference: str, memo: str, source: str, party_id: int | None = None
) -> list[ValuationLayer]:
    """Value the done moves of one document and post their entry; return the layers written.

    Called inside the transaction that made the moves done, with their products locked, so
    the running balances cannot change underneath. Moves that stay inside the company's stock,
    and moves of services and consumables, get no layer.
    """
    moves = [m for m in moves if m.is_done()]
    if not moves:
        return []
    products = {
        p.pk: p for p in Product.objects.filter(company=company, pk__in={m.product_id for m in moves}).select_related("category")
    }
    moves = sorted((m for m in moves if is_valued(m, products[m.product_id])), key=lambda m: m.pk)
    if not moves:
        return []
    valuer = Valuer(company, products, moves)
    layers = [valuer.value(move) for move in moves]
    net = _entry_lines(layers, {m.pk: m for m in moves})
    entry_id = (
        _post(
            company,
            net,
            date=layers[-1].date,
            reference=reference[:100],
            memo=memo[:300],
            source=source[:80],
            party_id=party_id,
        )
        if net
        else None
    )
    for layer in layers:
        layer.entry_id = entry_id
    ValuationLayer.objects.bulk_create(layers)
    if valuer.touched:
        ValuationLayer.objects.bulk_update(list(valuer.touched.values()), ["remaining_quantity", "remaining_value", "updated_at"])
    return layers
