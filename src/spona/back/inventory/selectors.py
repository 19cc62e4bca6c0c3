"""Reads of the inventory: catalogue, stock by location, move history, transfers, the stock check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from spona.back.inventory.models import (
    Location,
    Product,
    ProductCategory,
    Reservation,
    ReservationAllocation,
    StockMove,
    StockQuant,
    SupplierInfo,
    Transfer,
    Uom,
    ValuationLayer,
)
from spona.back.inventory.services.valuation import Balance
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor

ZERO = Decimal(0)
MAX_PAGE = 200


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


def product_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    category_id: int | None = None,
    kind: str = "",
    active: bool | None = True,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List products by name with keyset pagination; ``q`` matches name, SKU and barcode."""
    require(user, "inventory.view", company)
    qs = Product.objects.filter(company=company)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(sku__icontains=term) | Q(barcode=term))
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    if cursor:
        name, pk = decode_cursor(cursor)
        qs = qs.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    limit = _limit(limit)
    rows = list(qs.select_related("uom", "category").order_by("name", "pk")[: limit + 1])
    next_cursor = encode_cursor([rows[limit - 1].name, rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def product_get(*, user: User, company: Company, product_id: int) -> Product:
    """Return one product of the company with its units, category, variant values and suppliers."""
    require(user, "inventory.view", company)
    product = (
        Product.objects.filter(company=company, pk=product_id)
        .select_related("uom", "purchase_uom", "category", "template")
        .prefetch_related("attribute_values__attribute", "suppliers__price_breaks", "suppliers__supplier")
        .first()
    )
    if product is None:
        raise NotFound("No such product.")
    return product


def product_by_barcode(*, user: User, company: Company, barcode: str) -> Product:
    """Find the product a scanner read (barcode, else SKU); raises NotFound."""
    require(user, "inventory.view", company)
    code = (barcode or "").strip()
    product = Product.objects.filter(company=company, barcode=code).first() if code else None
    product = product or (Product.objects.filter(company=company, sku=code).first() if code else None)
    if product is None:
        raise NotFound(f"No product with barcode {code}.")
    return product


def product_ids_by_sku(*, company: Company, skus: Iterable[str]) -> dict[str, int]:
    """Map SKUs to the ids of the company's products that carry them (imports name products by SKU)."""
    wanted = {s for s in skus if s}
    return dict(Product.objects.filter(company=company, sku__in=wanted).values_list("sku", "pk")) if wanted else {}


def unit_ids_by_name(*, company: Company) -> dict[str, int]:
    """Map the lower-cased names of the company's active units of measure to their ids."""
    return {name.lower(): pk for name, pk in Uom.objects.filter(company=company, is_active=True).values_list("name", "pk")}


def category_ids_by_name(*, company: Company) -> dict[str, int]:
    """Map the lower-cased names of the company's top-level product categories to their ids."""
    rows = ProductCategory.objects.filter(company=company, parent__isnull=True).values_list("name", "pk")
    return {name.lower(): pk for name, pk in rows}


def _location(company: Company, location_id: int) -> Location:
    location = Location.objects.filter(pk=location_id, company=company).first()
    if location is None:
        raise NotFound("No such location.")
    return location


def location_list(*, user: User, company: Company, warehouse_id: int | None = None) -> QuerySet[Location]:
    """Locations of the company in tree order (by full name)."""
    require(user, "inventory.view", company)
    qs = Location.objects.filter(company=company, is_active=True)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("full_name", "pk")


@dataclass(frozen=True)
class StockRow:
    """Stock of one product and lot in one location."""

    quant_id: int
    product_id: int
    sku: str
    product_name: str
    unit: str
    location_id: int
    location: str
    lot: str
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def stock_by_location(
    *,
    user: User,
    company: Company,
    location_id: int,
    include_children: bool = True,
    product_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List the stock in a location (and its children) by SKU, keyset-paginated; empty quants are left out."""
    require(user, "inventory.view", company)
    location = _location(company, location_id)
    qs = StockQuant.objects.filter(company=company).filter(~Q(quantity=0) | ~Q(reserved=0))
    qs = qs.filter(location__path__startswith=location.path) if include_children else qs.filter(location=location)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if cursor:
        sku, pk = decode_cursor(cursor)
        qs = qs.filter(Q(product__sku__gt=sku) | Q(product__sku=sku, pk__gt=pk))
    limit = _limit(limit)
    quants = list(qs.select_related("product__uom", "location", "lot").order_by("product__sku", "pk")[: limit + 1])
    rows = [
        StockRow(
            quant_id=q.pk,
            product_id=q.product_id,
            sku=q.product.sku,
            product_name=q.product.name,
            unit=q.product.uom.name,
            location_id=q.location_id,
            location=q.location.full_name,
            lot=q.lot.name if q.lot else "",
            on_hand=q.quantity,
            reserved=q.reserved,
        )
        for q in quants
    ]
    next_cursor = encode_cursor([rows[limit - 1].sku, rows[limit - 1].quant_id]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


@dataclass(frozen=True)
class StockLevel:
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def stock_level(*, user: User | None, company: Company, product_id: int, location_id: int) -> StockLevel:
    """On hand, reserved and available stock of a product over a location and its children."""
    if user is not None:
        require(user, "inventory.view", company)
    location = _location(company, location_id)
    totals = StockQuant.objects.filter(
        company=company, product_id=product_id, location__path__startswith=location.path, location__kind=Location.Kind.INTERNAL
    ).aggregate(on_hand=ExactSum("quantity"), reserved=ExactSum("reserved"))
    return StockLevel(on_hand=totals["on_hand"] or ZERO, reserved=totals["reserved"] or ZERO)


def stock_levels(*, company: Company, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """``stock_level`` for many (product, location) pairs at once, in two queries however many pairs.

    Each location counts with its children; another company's locations count nothing.
    """
    pairs = set(wanted)
    paths = dict(Location.objects.filter(company=company, pk__in={loc for _p, loc in pairs}).values_list("pk", "path"))
    totals: dict[tuple[int, int], list[Decimal]] = {pair: [ZERO, ZERO] for pair in pairs}
    by_product: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for product_id, location_id in pairs:
        if location_id in paths:
            by_product[product_id].append((location_id, paths[location_id]))
    quants = (
        StockQuant.objects.filter(company=company, product_id__in=by_product, location__kind=Location.Kind.INTERNAL)
        .values("product_id", "location__path")
        .annotate(on_hand=ExactSum("quantity"), reserved=ExactSum("reserved"))
    )
    for row in quants:
        for location_id, path in by_product[row["product_id"]]:
            if row["location__path"].startswith(path):
                total = totals[(row["product_id"], location_id)]
                total[0] += row["on_hand"] or ZERO
                total[1] += row["reserved"] or ZERO
    return {pair: StockLevel(on_hand=on_hand, reserved=reserved) for pair, (on_hand, reserved) in totals.items()}


def move_history(
    *,
    user: User,
    company: Company,
    product_id: int,
    location_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Done moves of a product, newest first, keyset-paginated; with a location, those in or out of it."""
    require(user, "inventory.view", company)
    qs = StockMove.objects.filter(company=company, product_id=product_id, state=StockMove.State.DONE)
    if location_id is not None:
        qs = qs.filter(Q(from_location_id=location_id) | Q(to_location_id=location_id))
    if cursor:
        stamp, pk = decode_cursor(cursor)
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise ValidationFailed("The page cursor is not valid; start from the first page.") from None
        qs = qs.filter(Q(done_at__lt=when) | Q(done_at=when, pk__lt=pk))
    limit = _limit(limit)
    rows = list(
        qs.select_related("from_location", "to_location", "lot", "transfer", "done_by").order_by("-done_at", "-pk")[: limit + 1]
    )
    next_cursor = encode_cursor([rows[limit - 1].done_at.isoformat(), rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def transfer_list(*, user: User, company: Company, kind: str = "", state: str = "") -> QuerySet[Transfer]:
    """Transfers of the company, newest first."""
    require(user, "inventory.view", company)
    qs = Transfer.objects.filter(company=company).select_related("warehouse", "party", "from_location", "to_location")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-pk")


def transfer_get(*, user: User, company: Company, transfer_id: int) -> Transfer:
    """Return one transfer with its lines, moves and backorders."""
    require(user, "inventory.view", company)
    transfer = (
        Transfer.objects.filter(company=company, pk=transfer_id)
        .select_related("warehouse", "party", "from_location", "to_location", "backorder_of")
        .prefetch_related("lines__product__uom", "lines__lot", "moves__lot", "moves__from_location", "backorders")
        .first()
    )
    if transfer is None:
        raise NotFound("No such transfer.")
    return transfer


def reservation_list(
    *, user: User, company: Company, product_id: int | None = None, open_only: bool = True
) -> QuerySet[Reservation]:
    """Reservations of the company, newest first."""
    require(user, "inventory.view", company)
    qs = Reservation.objects.filter(company=company).select_related("product", "location", "lot", "party")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if open_only:
        qs = qs.filter(state=Reservation.State.OPEN)
    return qs.order_by("-pk")


@dataclass(frozen=True)
class SupplierOffer:
    supplier_id: int
    supplier_code: str
    unit_price: Decimal
    currency: str
    lead_time_days: int


def _offers(infos: Iterable[SupplierInfo], quantity: Decimal) -> list[SupplierOffer]:
    """The offers of one product's supplier rows (price breaks loaded) for ``quantity``, preferred supplier first."""
    offers = []
    for info in infos:
        applicable = [b for b in info.price_breaks.all() if b.min_quantity <= quantity]
        if applicable:
            best = max(applicable, key=lambda b: b.min_quantity)
            offer = SupplierOffer(info.supplier_id, info.supplier_code, best.price, info.currency, info.lead_time_days)
            offers.append((info.sequence, offer))
    return [offer for _seq, offer in sorted(offers, key=lambda o: (o[0], o[1].unit_price, o[1].supplier_id))]


def supplier_offers(*, user: User | None, company: Company, product_id: int, quantity: Decimal) -> list[SupplierOffer]:
    """What each supplier charges per purchase unit for ``quantity``, preferred supplier first.

    The price is that of the highest price break not above the quantity; a supplier with no
    break that low is left out.
    """
    if user is not None:
        require(user, "inventory.view", company)
    return supplier_offers_many(company=company, wanted=[(product_id, quantity)])[(product_id, quantity)]


def supplier_offers_many(
    *, company: Company, wanted: Iterable[tuple[int, Decimal]]
) -> dict[tuple[int, Decimal], list[SupplierOffer]]:
    """``supplier_offers`` for many (product, quantity) pairs at once, in two queries however many pairs."""
    pairs = set(wanted)
    infos: dict[int, list[SupplierInfo]] = defaultdict(list)
    rows = SupplierInfo.objects.filter(company=company, product_id__in={pk for pk, _q in pairs}).prefetch_related("price_breaks")
    for info in rows:
        infos[info.product_id].append(info)
    return {(pk, quantity): _offers(infos[pk], quantity) for pk, quantity in pairs}


@dataclass(frozen=True)
class StockMismatch:
    """A materialised figure that disagrees with what the moves and reservations say (QUALITY S2)."""

    kind: str  # "on_hand", "reserved" or "reservation"
    product_id: int
    location_id: int | None
    lot_id: int | None
    expected: Decimal
    actual: Decimal
    reservation_id: int | None = None


Key = tuple[int, int, int | None]


def stock_check(company: Company) -> list[StockMismatch]:
    """Recompute stock from scratch and report every figure that disagrees (empty when all is well).

    On hand of each quant = Σ done moves in − Σ done moves out; reserved = Σ allocations of
    open reservations; each open reservation's quantity = Σ its allocations.
    """
    held = list(Location.HOLDS_STOCK)
    expected: dict[Key, Decimal] = defaultdict(Decimal)
    done = StockMove.objects.filter(company=company, state=StockMove.State.DONE)
    for side, sign in (("to_location", 1), ("from_location", -1)):
        rows = (
            done.filter(**{f"{side}__kind__in": held})
            .values_list("product_id", f"{side}_id", "lot_id")
            .annotate(total=ExactSum("quantity"))
            .order_by()
        )
        for product_id, location_id, lot_id, total in rows:
            expected[(product_id, location_id, lot_id)] += sign * total
    reserved: dict[Key, Decimal] = defaultdict(Decimal)
    allocations = (
        ReservationAllocation.objects.filter(reservation__company=company, reservation__state=Reservation.State.OPEN)
        .values_list("reservation__product_id", "location_id", "lot_id")
        .annotate(total=ExactSum("quantity"))
        .order_by()
    )
    for product_id, location_id, lot_id, total in allocations:
        reserved[(product_id, location_id, lot_id)] += total
    actual_on_hand: dict[Key, Decimal] = {}
    actual_reserved: dict[Key, Decimal] = {}
    for product_id, location_id, lot_id, quantity, reserved_quantity in StockQuant.objects.filter(company=company).values_list(
        "product_id", "location_id", "lot_id", "quantity", "reserved"
    ):
        actual_on_hand[(product_id, location_id, lot_id)] = quantity
        actual_reserved[(product_id, location_id, lot_id)] = reserved_quantity
    mismatches = []
    for kind, want, have in (("on_hand", expected, actual_on_hand), ("reserved", reserved, actual_reserved)):
        for key in sorted(set(want) | set(have), key=lambda k: (k[0], k[1], k[2] or 0)):
            if want.get(key, ZERO) != have.get(key, ZERO):
                mismatches.append(StockMismatch(kind, key[0], key[1], key[2], want.get(key, ZERO), have.get(key, ZERO)))
    per_reservation = (
        Reservation.objects.filter(company=company, state=Reservation.State.OPEN)
        .annotate(allocated=ExactSum("allocations__quantity"))
        .values_list("pk", "product_id", "location_id", "lot_id", "quantity", "allocated")
    )
    for pk, product_id, location_id, lot_id, quantity, allocated in per_reservation:
        if quantity != (allocated or ZERO):
            mismatches.append(StockMismatch("reservation", product_id, location_id, lot_id, quantity, allocated or ZERO, pk))
    return mismatches


def products_for_sale(*, company: Company, ids: Iterable[int]) -> dict[int, Product]:
    """The company's active products among ``ids``, with their units, for pricing and order lines.

    No user: sales prices orders that a customer accepts through a share link, with nobody logged in.
    """
    return {p.pk: p for p in Product.objects.filter(company=company, pk__in=set(ids), is_active=True).select_related("uom")}


def move_values(*, company: Company, move_ids: Iterable[int]) -> dict[int, Decimal]:
    """The value (at the company currency's precision, positive) at which each done move entered or left stock.

    Moves that stayed inside the company's stock (internal transfers), moves of services and
    consumables, and moves not yet done are worth 0; moves of another company are left out.
    Purchasing compares receipts with bills this way; production rolls up component costs.
    """
    wanted = set(move_ids)
    values = dict.fromkeys(StockMove.objects.filter(company=company, pk__in=wanted).values_list("pk", flat=True), ZERO)
    for move_id, value in ValuationLayer.objects.filter(company=company, move_id__in=wanted).values_list("move_id", "value"):
        values[move_id] = abs(value)
    return values


def product_unit_cost(*, company: Company, product_id: int) -> Decimal:
    """The product's current unit cost: its stock's average value, else the last valued cost, else its cost price.

    For a FIFO product the average of what is in stock is what the remaining receipts cost.
    Raises NotFound for a product of another company.
    """
    product = Product.objects.filter(company=company, pk=product_id).first()
    if product is None:
        raise NotFound("No such product.")
    last = ValuationLayer.objects.filter(company=company, product=product).order_by("-id").first()
    if last is None:
        return product.cost_price
    return Balance(last.balance_quantity, last.balance_value, last.unit_cost).unit_cost(product)


def warehouse_default_id(*, company: Company) -> int | None:
    """The company's first active warehouse by code: where sales delivers from unless told otherwise."""
    from spona.back.inventory.models import Warehouse

    return Warehouse.objects.filter(company=company, is_active=True).order_by("code").values_list("pk", flat=True).first()


def unvalued_stock(company: Company) -> dict[int, Decimal]:
    """Units on hand per goods product beyond what its valuation layers hold (only the positive gaps)."""
    on_hand = (
        StockQuant.objects.filter(company=company, location__kind__in=Location.HOLDS_STOCK, product__kind=Product.Kind.GOODS)
        .values("product_id")
        .annotate(q=ExactSum("quantity"))
    )
    layered = dict(
        ValuationLayer.objects.filter(company=company)
        .values("product_id")
        .annotate(q=ExactSum("quantity"))
        .values_list("product_id", "q")
    )
    gaps = {row["product_id"]: row["q"] - layered.get(row["product_id"], ZERO) for row in on_hand}
    return {pk: gap for pk, gap in sorted(gaps.items()) if gap > 0}


# For the customer portal -------------------------------------------------------------------------


def party_deliveries(*, company: Company, party_id: int, limit: int = 100) -> list[Transfer]:
    """Deliveries to a customer that are past the draft stage, newest first. The caller has checked
    that the user may see this customer's records (the customer's own portal user)."""
    qs = Transfer.objects.filter(company=company, party_id=party_id, kind=Transfer.Kind.DELIVERY).exclude(
        state=Transfer.State.DRAFT
    )
    return list(qs.order_by("-pk")[: max(1, min(limit, 200))])


def party_delivery_get(*, company: Company, party_id: int, transfer_id: int) -> Transfer:
    """One delivery to the customer with its lines; NotFound for a draft, a receipt or another customer's."""
    transfer = (
        Transfer.objects.filter(company=company, party_id=party_id, pk=transfer_id, kind=Transfer.Kind.DELIVERY)
        .exclude(state=Transfer.State.DRAFT)
        .prefetch_related("lines__product__uom")
        .first()
    )
    if transfer is None:
        raise NotFound("No such delivery.")
    return transfer


def warehouse_choices(*, company: Company) -> list[tuple[int, str]]:
    """The company's active warehouses as (id, "code · name"), by code: where other apps may ship from."""
    from spona.back.inventory.models import Warehouse

    rows = Warehouse.objects.filter(company=company, is_active=True).order_by("code").values_list("pk", "code", "name")
    return [(pk, f"{code} · {name}") for pk, code, name in rows]
