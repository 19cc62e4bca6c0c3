"""Stock moves, quants and reservations: the double entry of quantities (QUALITY S1–S3).

Every change of stock runs under row locks taken in one fixed order, so two transactions
never wait for each other in a circle (QUALITY S3):

1. the transfer, when a document is involved;
2. the products, in id order (``lock_products``);
3. the stock rows (quants) of each product, in location order, then lot order.

Product locks are ``FOR NO KEY UPDATE``: they serialise all stock changes of one product
without blocking inserts that merely reference it (a new transfer line). The quants are
updated in the same transaction as the move or reservation that changes them, so on hand
always equals the sum of done moves and reserved the sum of open reservations (QUALITY S2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from spona.back.inventory.models import (
    Location,
    Lot,
    Product,
    Reservation,
    ReservationAllocation,
    StockMove,
    StockQuant,
)
from spona.back.inventory.services.locations import virtual_location
from spona.back.inventory.services.valuation import value_moves
from spona.core import audit, events
from spona.core.db import unique_row
from spona.core.errors import ApplicationError, NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require

ZERO = Decimal(0)
# The order in which a reservation's stock is taken: location by location, lot by lot.
TAKING_ORDER = ("location_id", "lot_id", "pk")


class InsufficientStock(ApplicationError):
    """Less stock is available than asked for (and the product does not allow negative stock)."""

    status = 409
    code = "insufficient_stock"


def fmt(quantity: Decimal) -> str:
    """Show a quantity without trailing zeros: 1, 2.5."""
    text = format(quantity.normalize(), "f")
    return "0" if text in ("-0", "") else text


def insufficient(product: Product, location: Location, available: Decimal, requested: Decimal) -> InsufficientStock:
    available = max(available, ZERO)
    return InsufficientStock(
        f"insufficient stock: {fmt(available)} available, {fmt(requested)} requested ({product.sku} in {location.full_name})",
        extra={"product_id": product.pk, "location_id": location.pk, "available": fmt(available), "requested": fmt(requested)},
    )


def lock_products(company: Company, product_ids: Iterable[int]) -> dict[int, Product]:
    """Lock the products' rows in id order (the first locks of every stock change) and return them.

    Raises NotFound when one of them is not the company's.
    """
    wanted = sorted(set(product_ids))
    rows = Product.objects.select_for_update(no_key=True, of=("self",)).filter(company=company, pk__in=wanted).order_by("pk")
    products = {p.pk: p for p in rows.select_related("uom")}
    if len(products) != len(wanted):
        raise NotFound("No such product.")
    return products


def _quant(product: Product, location: Location, lot: Lot | None) -> StockQuant:
    """Return the locked quant of (product, location, lot), creating it at zero.

    The caller holds the product's lock, so nobody else can be creating the same quant.
    """
    quant = unique_row(StockQuant.objects.select_for_update(no_key=True).filter(product=product, location=location, lot=lot))
    if quant is None:
        quant = StockQuant.objects.create(company_id=product.company_id, product=product, location=location, lot=lot)
    return quant


def _quant_key(product_id: int, location_id: int, lot_id: int | None) -> tuple[int, int, int | None]:
    return (product_id, location_id, lot_id)


class Quants:
    """The locked quants of a batch of stock changes (a transfer's lines), changed in memory.

    The quants are locked by one ordered read (``lock``: product, location, lot, the third
    step of the lock order) instead of one read per move, and what the moves and reservations
    did to them is written by one statement (``save``). A quant the read did not find is locked
    or created on its own when first asked for (``get``), as ``_quant`` would do it. The caller
    holds the products' locks; reads of quantities go through this object until ``save``.
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[int, int, int | None], StockQuant] = {}
        self.changed: dict[int, StockQuant] = {}

    def lock(self, quants: QuerySet[StockQuant]) -> list[StockQuant]:
        """Lock the quants of ``quants`` in the fixed order and keep them; return them in that order."""
        found = list(quants.select_for_update(no_key=True, of=("self",)).order_by("product_id", "location_id", "lot_id", "pk"))
        for quant in found:
            self.rows.setdefault(_quant_key(quant.product_id, quant.location_id, quant.lot_id), quant)
        return [self.rows[_quant_key(q.product_id, q.location_id, q.lot_id)] for q in found]

    def lock_keys(self, keys: Iterable[tuple[int, int, int | None]]) -> None:
        """Lock the quants of these (product, location, lot) keys that exist, in one read."""
        wanted = Q()
        for product_id, location_id, lot_id in set(keys) - set(self.rows):
            wanted |= Q(product_id=product_id, location_id=location_id, lot_id=lot_id)
        if wanted:
            self.lock(StockQuant.objects.filter(wanted))

    def get(self, product: Product, location: Location, lot: Lot | None) -> StockQuant:
        """The locked quant of (product, location, lot), created at zero when there is none."""
        key = _quant_key(product.pk, location.pk, lot.pk if lot is not None else None)
        if key not in self.rows:
            self.rows[key] = _quant(product, location, lot)
        return self.rows[key]

    def change(self, quant: StockQuant, *, quantity: Decimal | None = None, reserved: Decimal | None = None) -> None:
        if quantity is not None:
            quant.quantity = quantity
        if reserved is not None:
            quant.reserved = reserved
        quant.updated_at = timezone.now()
        self.changed[quant.pk] = quant

    def save(self) -> None:
        """Write the changed quants (one statement), then forget the changes."""
        changed = list(self.changed.values())
        if len(changed) == 1:
            quant = changed[0]
            StockQuant.objects.filter(pk=quant.pk).update(
                quantity=quant.quantity, reserved=quant.reserved, updated_at=quant.updated_at
            )
        elif changed:
            StockQuant.objects.bulk_update(changed, ["quantity", "reserved", "updated_at"])
        self.changed.clear()


def check_quantity(product: Product, quantity: Decimal, *, one_per_serial: bool = True) -> Decimal:
    """Return the quantity as a Decimal if it is positive and countable in the product's unit."""
    field = "quantity"
    if isinstance(quantity, float):
        raise ValidationFailed("Quantities must be exact decimals, not floats.", field_errors={field: ["Not a float."]})
    quantity = to_decimal(quantity)
    if quantity <= 0:
        raise ValidationFailed("The quantity must be positive.", field_errors={field: ["Must be positive."]})
    if not product.uom.is_exact(quantity):
        raise ValidationFailed(
            f"{product.sku} is counted in steps of {fmt(product.uom.rounding)} {product.uom.name}.",
            field_errors={field: [f"Use a multiple of {fmt(product.uom.rounding)}."]},
        )
    if one_per_serial and product.tracking == Product.Tracking.SERIAL and quantity != 1:
        raise ValidationFailed(
            f"{product.sku} is tracked by serial number: one unit per serial.", field_errors={field: ["Must be 1."]}
        )
    return quantity


def _check_lot(product: Product, lot: Lot | None) -> None:
    if lot is not None and (not product.is_tracked() or lot.product_id != product.pk):
        raise ValidationFailed(f"This lot does not belong to {product.sku}.", field_errors={"lot": ["Wrong lot."]})


def lot_for(product: Product, name: str, *, create: bool) -> Lot | None:
    """Return the product's lot called ``name`` (None for an empty name), creating it when asked."""
    name = (name or "").strip()
    if not name:
        return None
    lot = Lot.objects.filter(product=product, name=name).first()
    if lot is None and create:
        try:
            with transaction.atomic():
                lot = Lot.objects.create(company_id=product.company_id, product=product, name=name[:100])
        except IntegrityError:
            lot = Lot.objects.get(product=product, name=name)
    if lot is None:
        raise ValidationFailed(f"{product.sku} has no lot or serial {name}.", field_errors={"lot": ["Unknown lot."]})
    return lot


def _take(
    quants: Quants,
    product: Product,
    location: Location,
    lot: Lot | None,
    quantity: Decimal,
    *,
    from_reserved: Decimal,
    below_reserved: bool,
) -> None:
    """Take stock out of a quant; ``from_reserved`` of it was reserved for this very move.

    Stock reserved for others stays untouched (the move may use only what is available plus
    its own reservation) unless ``below_reserved``: a physical count is the truth even where
    it leaves reservations waiting. Negative stock only where the product allows it.
    """
    quant = quants.get(product, location, lot)
    quantity_after, reserved_after = quant.quantity - quantity, quant.reserved - from_reserved
    if reserved_after < 0:
        raise RuntimeError(f"Quant {quant.pk} would have a negative reservation.")
    floor = ZERO if below_reserved else reserved_after
    if not product.allow_negative_stock and quantity_after < floor:
        raise insufficient(
            product, location, quant.quantity - (ZERO if below_reserved else quant.reserved - from_reserved), quantity
        )
    quants.change(quant, quantity=quantity_after, reserved=reserved_after)


def _put(quants: Quants, product: Product, location: Location, lot: Lot | None, quantity: Decimal) -> None:
    quant = quants.get(product, location, lot)
    if product.tracking == Product.Tracking.SERIAL and location.is_internal() and quant.quantity + quantity > 1:
        raise ValidationFailed(
            f"Serial {lot} of {product.sku} is already in {location.full_name}.", field_errors={"lot": ["In stock."]}
        )
    quants.change(quant, quantity=quant.quantity + quantity)


def execute(
    move: StockMove,
    product: Product,
    actor: User | None,
    *,
    from_reserved: Decimal = ZERO,
    below_reserved: bool = False,
    quants: Quants | None = None,
) -> StockMove:
    """Make a draft move done: change both quants and freeze the move (caller holds the product lock).

    With ``quants`` (a batch's locked quants) the quants are changed in memory, and written by
    the caller's ``quants.save()``; without, they are read and written here.
    """
    if not move.is_draft():
        raise StateError(f"Stock move {move.pk} is {move.state}.")
    # A plan may leave the lot open (any lot of a delivery); stock that really moves has one.
    if product.is_tracked() and move.lot_id is None:
        raise ValidationFailed(f"{product.sku} is tracked: give the lot or serial number.", field_errors={"lot": ["Required."]})
    check_quantity(product, move.quantity)
    book = Quants() if quants is None else quants
    if move.from_location.holds_stock():
        _take(
            book, product, move.from_location, move.lot, move.quantity, from_reserved=from_reserved, below_reserved=below_reserved
        )
    if move.to_location.holds_stock():
        _put(book, product, move.to_location, move.lot, move.quantity)
    if quants is None:
        book.save()
    move.state = StockMove.State.DONE
    move.done_at = timezone.now()
    move.done_by = actor if actor is not None and actor.is_authenticated else None
    move.save()
    return move


def new_move(
    *,
    product: Product,
    from_location: Location,
    to_location: Location,
    quantity: Decimal,
    lot: Lot | None = None,
    unit_cost: Decimal | None = None,
    **fields: object,
) -> StockMove:
    """Validate and insert a draft move of a locked product (the shared part of every move)."""
    move = planned_move(
        product=product,
        from_location=from_location,
        to_location=to_location,
        quantity=quantity,
        lot=lot,
        unit_cost=unit_cost,
        **fields,
    )
    move.save(force_insert=True)
    return move


def planned_move(
    *,
    product: Product,
    from_location: Location,
    to_location: Location,
    quantity: Decimal,
    lot: Lot | None = None,
    unit_cost: Decimal | None = None,
    **fields: object,
) -> StockMove:
    """Validate a draft move of a locked product and return it unsaved (several are inserted at once)."""
    if from_location.pk == to_location.pk:
        raise ValidationFailed("A move needs two different locations.", field_errors={"to_location": ["Same as the source."]})
    for side, location in (("from_location", from_location), ("to_location", to_location)):
        if location.kind == Location.Kind.VIEW or location.company_id != product.company_id:
            raise ValidationFailed("Stock moves between real or virtual locations only.", field_errors={side: ["Not usable."]})
    if not product.is_stocked():
        raise ValidationFailed(f"{product.sku} is a service; services have no stock.", field_errors={"product": ["Service."]})
    _check_lot(product, lot)
    cost = product.cost_price if unit_cost is None else to_decimal(unit_cost)
    if cost < 0:
        raise ValidationFailed("The unit cost cannot be negative.", field_errors={"unit_cost": ["Negative."]})
    return StockMove(
        company_id=product.company_id,
        product=product,
        lot=lot,
        from_location=from_location,
        to_location=to_location,
        quantity=check_quantity(product, quantity, one_per_serial=False),
        unit_cost=cost,
        **fields,
    )


def _location(company: Company, location_id: int) -> Location:
    location = Location.objects.filter(pk=location_id, company=company).first()
    if location is None:
        raise NotFound("No such location.")
    return location


@transaction.atomic
def move_create(
    *,
    actor: User | None,
    company: Company,
    product_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: Decimal,
    lot: str = "",
    unit_cost: Decimal | None = None,
    reference: str = "",
    reason: str = "",
    done: bool = False,
) -> StockMove:
    """Plan a move of stock between two locations (and make it at once with ``done=True``).

    The lot is found by name; a move out of a supplier or production location may bring a new
    lot into existence. Raises ValidationFailed for a service, a view location, a missing lot
    of a tracked product or an inexact quantity; InsufficientStock when making it done finds
    too little available stock.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    from_location, to_location = _location(company, from_location_id), _location(company, to_location_id)
    product = lock_products(company, [product_id])[product_id]
    lot = lot_for(product, lot, create=not from_location.holds_stock())
    move = new_move(
        product=product,
        from_location=from_location,
        to_location=to_location,
        quantity=quantity,
        lot=lot,
        unit_cost=unit_cost,
        reference=reference.strip()[:100],
        reason=reason.strip()[:200],
    )
    if done:
        execute(move, product, actor)
        value_move(company, move)
    audit.record(actor=actor, target=move, action="done" if done else "created")
    return move


@transaction.atomic
def move_done(*, actor: User | None, company: Company, move_id: int) -> StockMove:
    """Make a planned move: stock leaves its source and arrives at its destination, for good.

    Raises StateError unless the move is a draft of no transfer (a transfer's moves are made by
    validating the transfer), InsufficientStock when the source lacks available stock.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    move = StockMove.objects.filter(pk=move_id, company=company).first()
    if move is None:
        raise NotFound("No such stock move.")
    product = lock_products(company, [move.product_id])[move.product_id]
    move = StockMove.objects.select_for_update(of=("self",)).select_related("from_location", "to_location", "lot").get(pk=move.pk)
    if move.transfer_id is not None:
        raise StateError("This move belongs to a transfer; validate the transfer instead.")
    execute(move, product, actor)
    value_move(company, move)
    audit.record(actor=actor, target=move, action="done")
    return move


def value_move(company: Company, move: StockMove) -> None:
    """Value a single done move and post its entry (a production step, a manual move)."""
    value_moves(
        company=company,
        moves=[move],
        reference=move.reference or f"Move {move.pk}",
        memo=move.reason or f"Stock move {move.pk}",
        source=f"inventory.move:{move.pk}",
        party_id=move.party_id,
    )


@transaction.atomic
def move_cancel(*, actor: User | None, company: Company, move_id: int) -> StockMove:
    """Cancel a planned move; a done move cannot be cancelled, only moved back."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    move = StockMove.objects.select_for_update().filter(pk=move_id, company=company).first()
    if move is None:
        raise NotFound("No such stock move.")
    if not move.is_draft():
        raise StateError(f"Only a planned move can be cancelled; this one is {move.state}.")
    if move.transfer_id is not None:
        raise StateError("This move belongs to a transfer; cancel the transfer instead.")
    move.state = StockMove.State.CANCELLED
    move.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, target=move, action="cancelled")
    return move


# Reservations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reserve:
    """One reservation asked of ``reserve_many``: a quantity of a locked product, of a lot or any."""

    product: Product
    quantity: Decimal
    lot: Lot | None = None
    transfer_line_id: int | None = None


def reserve(
    *,
    product: Product,
    location: Location,
    quantity: Decimal,
    reference: str,
    actor: User | None,
    lot: Lot | None = None,
    party: Party | None = None,
    transfer_line_id: int | None = None,
) -> Reservation:
    """Reserve available stock of a locked product in a location and its children (``reserve_many`` of one)."""
    asked = Reserve(product=product, quantity=quantity, lot=lot, transfer_line_id=transfer_line_id)
    return reserve_many(location=location, asked=[asked], reference=reference, actor=actor, party=party)[0]


def reserve_many(
    *, location: Location, asked: Sequence[Reserve], reference: str, actor: User | None, party: Party | None = None
) -> list[Reservation]:
    """Reserve available stock of locked products in a location and its children, one reservation each.

    Stock is taken location by location and lot by lot, oldest lot first, each reservation after
    the ones before it. When too little is available the request is refused, unless the product
    allows negative stock: then the shortfall is reserved in ``location`` itself. The quants of
    all the products are locked by one ordered read and written by one statement, the
    reservations and their allocations inserted together (the caller holds the products' locks).
    """
    if location.kind not in (Location.Kind.INTERNAL, Location.Kind.VIEW) or location.warehouse_id is None:
        raise ValidationFailed(
            "Stock is reserved in a warehouse's locations.", field_errors={"location": ["Not a stock location."]}
        )
    quants = Quants()
    # Only the quants: locking the joined location rows would serialise every product in a location.
    found = quants.lock(
        StockQuant.objects.filter(
            product_id__in={a.product.pk for a in asked},
            location__path__startswith=location.path,
            location__kind=Location.Kind.INTERNAL,
        ).select_related("location")
    )
    reservations: list[Reservation] = []
    allocated: list[list[tuple[StockQuant, Decimal]]] = []
    for item in asked:
        product, lot = item.product, item.lot
        quantity = check_quantity(product, item.quantity, one_per_serial=False)
        if lot is not None:
            _check_lot(product, lot)
        if not product.is_stocked():
            raise ValidationFailed(f"{product.sku} is a service; services have no stock.", field_errors={"product": ["Service."]})
        mine = [q for q in found if q.product_id == product.pk and (lot is None or q.lot_id == lot.pk)]
        available = sum((max(q.quantity - q.reserved, ZERO) for q in mine), ZERO)
        if available < quantity and not product.allow_negative_stock:
            raise insufficient(product, location, available, quantity)
        if available < quantity and not location.is_internal():
            # Negative stock needs a real place to be negative in, not a warehouse's view location.
            raise insufficient(product, location, available, quantity)
        allocations: list[tuple[StockQuant, Decimal]] = []
        remaining = quantity
        for quant in mine:
            part = min(max(quant.quantity - quant.reserved, ZERO), remaining)
            if part > 0:
                allocations.append((quant, part))
                remaining -= part
            if remaining == 0:
                break
        if remaining > 0:
            allocations.append((quants.get(product, location, lot), remaining))
        for quant, part in allocations:
            quants.change(quant, reserved=quant.reserved + part)
        allocated.append(allocations)
        reservations.append(
            Reservation(
                company_id=product.company_id,
                product=product,
                location=location,
                lot=lot,
                quantity=quantity,
                requested=quantity,
                reference=reference.strip()[:100],
                party=party,
                transfer_line_id=item.transfer_line_id,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
        )
    Reservation.objects.bulk_create(reservations)
    quants.save()
    ReservationAllocation.objects.bulk_create(
        [
            ReservationAllocation(reservation=reservation, location_id=q.location_id, lot_id=q.lot_id, quantity=p)
            for reservation, allocations in zip(reservations, allocated, strict=True)
            for q, p in allocations
        ]
    )
    return reservations


def release(reservation: Reservation, quantity: Decimal | None = None) -> Decimal:
    """Give back ``quantity`` (all by default) of an open reservation of a locked product; return it."""
    if not reservation.is_open():
        raise StateError(f"The reservation for {reservation.reference} is {reservation.state}.")
    quantity = reservation.quantity if quantity is None else quantity
    if quantity <= 0 or quantity > reservation.quantity:
        raise ValidationFailed(f"Only {fmt(reservation.quantity)} is reserved.", field_errors={"quantity": ["Too much."]})
    remaining = quantity
    # Last allocated first, so that what stays reserved is the stock found first.
    for allocation in reservation.allocations.order_by("-location_id", "-lot_id", "-pk"):
        part = min(allocation.quantity, remaining)
        quant = _quant(reservation.product, allocation.location, allocation.lot)
        StockQuant.objects.filter(pk=quant.pk).update(reserved=quant.reserved - part, updated_at=timezone.now())
        _shrink(allocation, part)
        remaining -= part
        if remaining == 0:
            break
    _reduce(reservation, quantity, Reservation.State.RELEASED)
    return quantity


def _shrink(allocation: ReservationAllocation, part: Decimal) -> None:
    if part == allocation.quantity:
        allocation.delete()
    else:
        ReservationAllocation.objects.filter(pk=allocation.pk).update(quantity=allocation.quantity - part)


def _reduce(reservation: Reservation, quantity: Decimal, final_state: str) -> None:
    reservation.quantity -= quantity
    if reservation.quantity == 0:
        reservation.state = final_state
    reservation.save(update_fields=["quantity", "state", "updated_at"])


def taking_order() -> Prefetch:
    """Prefetch reservations' allocations as ``taking``, in the order ``consume`` takes them."""
    return Prefetch(
        "allocations",
        queryset=ReservationAllocation.objects.select_related("location", "lot").order_by(*TAKING_ORDER),
        to_attr="taking",
    )


def consume(
    reservation: Reservation,
    quantity: Decimal,
    *,
    to_location: Location,
    actor: User | None,
    draft: StockMove | None = None,
    allocations: Sequence[ReservationAllocation] | None = None,
    quants: Quants | None = None,
    **fields: object,
) -> list[StockMove]:
    """Move ``quantity`` of an open reservation's stock out to ``to_location`` as done moves.

    One move per location and lot the stock was reserved in; ``draft`` (a planned move) becomes
    the first of them. The product is locked by the caller. ``allocations`` are the reservation's,
    when the caller has read them already (``taking_order``); ``quants``, a batch's locked quants
    (see ``execute``).
    """
    if not reservation.is_open():
        raise StateError(f"The reservation for {reservation.reference} is {reservation.state}.")
    if quantity <= 0 or quantity > reservation.quantity:
        raise ValidationFailed(f"Only {fmt(reservation.quantity)} is reserved.", field_errors={"quantity": ["Too much."]})
    product = reservation.product
    moves, remaining = [], quantity
    if allocations is None:
        allocations = reservation.allocations.select_related("location", "lot").order_by(*TAKING_ORDER)
    for allocation in allocations:
        part = min(allocation.quantity, remaining)
        if draft is not None:
            move, draft = draft, None
            move.from_location, move.lot, move.quantity = allocation.location, allocation.lot, part
            move.reservation = reservation
        else:
            move = new_move(
                product=product,
                from_location=allocation.location,
                to_location=to_location,
                quantity=part,
                lot=allocation.lot,
                reservation=reservation,
                **fields,
            )
        moves.append(execute(move, product, actor, from_reserved=part, quants=quants))
        _shrink(allocation, part)
        remaining -= part
        if remaining == 0:
            break
    _reduce(reservation, quantity, Reservation.State.CONSUMED)
    return moves


def _locked_reservation(company: Company, reservation_id: int) -> Reservation:
    """Lock a reservation after its product (the fixed lock order), with the locked product attached."""
    found = Reservation.objects.filter(pk=reservation_id, company=company).first()
    if found is None:
        raise NotFound("No such reservation.")
    product = lock_products(company, [found.product_id])[found.product_id]
    reservation = Reservation.objects.select_for_update().get(pk=found.pk)
    reservation.product = product
    return reservation


@transaction.atomic
def reservation_create(
    *,
    actor: User | None,
    company: Company,
    product_id: int,
    location_id: int,
    quantity: Decimal,
    reference: str,
    lot: str = "",
    party_id: int | None = None,
) -> Reservation:
    """Reserve available stock (on hand − reserved, over the location and its children) for a purpose.

    The last unit is never promised twice: the product's row is locked before the stock is
    counted (QUALITY S1). Raises InsufficientStock ("insufficient stock: 1 available,
    2 requested") unless the product allows negative stock; ValidationFailed for a bad
    quantity, location or lot.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    if not (reference or "").strip():
        raise ValidationFailed("Say what the stock is reserved for.", field_errors={"reference": ["Required."]})
    location = _location(company, location_id)
    party = None
    if party_id is not None:
        party = Party.objects.filter(pk=party_id, company=company).first()
        if party is None:
            raise NotFound("No such party.")
    product = lock_products(company, [product_id])[product_id]
    reservation = reserve(
        product=product,
        location=location,
        quantity=quantity,
        reference=reference,
        actor=actor,
        lot=lot_for(product, lot, create=False),
        party=party,
    )
    audit.record(actor=actor, target=reservation, action="created")
    events.publish(
        "inventory.stock_reserved",
        company=company,
        party=party,
        actor=actor,
        reservation_id=reservation.pk,
        product_id=product.pk,
        sku=product.sku,
        location=location.full_name,
        quantity=fmt(reservation.quantity),
        reference=reservation.reference,
    )
    return reservation


@transaction.atomic
def reservation_release(
    *, actor: User | None, company: Company, reservation_id: int, quantity: Decimal | None = None
) -> Reservation:
    """Give reserved stock back to what is available (all of it, or ``quantity``)."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    reservation = _locked_reservation(company, reservation_id)
    if reservation.transfer_line_id is not None:
        raise StateError("This reservation belongs to a transfer; cancel the transfer instead.")
    released = release(reservation, None if quantity is None else to_decimal(quantity))
    audit.record(actor=actor, target=reservation, action="released", changes={"quantity": [None, fmt(released)]})
    return reservation


@transaction.atomic
def reservation_consume(
    *,
    actor: User | None,
    company: Company,
    reservation_id: int,
    quantity: Decimal | None = None,
    to_location_id: int | None = None,
) -> list[StockMove]:
    """Take reserved stock out of its location as done moves (to the customers by default)."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    reservation = _locked_reservation(company, reservation_id)
    if reservation.transfer_line_id is not None:
        raise StateError("This reservation belongs to a transfer; validate the transfer instead.")
    to_location = (
        _location(company, to_location_id) if to_location_id is not None else virtual_location(company, Location.Kind.CUSTOMER)
    )
    amount = reservation.quantity if quantity is None else to_decimal(quantity)
    moves = consume(
        reservation, amount, to_location=to_location, actor=actor, reference=reservation.reference, party=reservation.party
    )
    value_moves(
        company=company,
        moves=moves,
        reference=reservation.reference,
        memo=f"Reserved stock taken for {reservation.reference}",
        source=f"inventory.reservation:{reservation.pk}",
        party_id=reservation.party_id,
    )
    audit.record(actor=actor, target=reservation, action="consumed", changes={"quantity": [None, fmt(amount)]})
    return moves
