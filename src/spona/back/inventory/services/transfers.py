"""Transfers (pickings): receipts, deliveries, internal transfers; confirm, validate, backorder, cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.back.inventory.models import Location, Product, Reservation, StockMove, Transfer, TransferLine, Uom, Warehouse
from spona.back.inventory.services.locations import locations_setup
from spona.back.inventory.services.products import convert_quantity
from spona.back.inventory.services.stock import (
    Quants,
    Reserve,
    check_quantity,
    consume,
    execute,
    fmt,
    lock_products,
    lot_for,
    new_move,
    planned_move,
    release,
    reserve_many,
    taking_order,
)
from spona.back.inventory.services.valuation import value_moves
from spona.core import audit, events
from spona.core.db import service_atomic, unique_row
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require
from spona.core.services import sequence_next

ZERO = Decimal(0)

# Which kinds of location each side of a transfer may be.
SIDES = {
    # A receipt from the customers is a return (sales' RMA); a delivery to the suppliers sends goods back.
    Transfer.Kind.RECEIPT: ((Location.Kind.SUPPLIER, Location.Kind.CUSTOMER, Location.Kind.TRANSIT), (Location.Kind.INTERNAL,)),
    Transfer.Kind.DELIVERY: ((Location.Kind.INTERNAL,), (Location.Kind.CUSTOMER, Location.Kind.SUPPLIER, Location.Kind.TRANSIT)),
    Transfer.Kind.INTERNAL: ((Location.Kind.INTERNAL,), (Location.Kind.INTERNAL, Location.Kind.TRANSIT)),
}


@dataclass(frozen=True)
class TransferLineIn:
    """One line as a caller describes it; ``uom_id`` defaults to the product's unit, ``lot`` is a name."""

    product_id: int
    quantity: Decimal
    uom_id: int | None = None
    lot: str = ""
    unit_cost: Decimal | None = None


def _sides(
    company: Company, kind: str, warehouse: Warehouse, from_id: int | None, to_id: int | None
) -> tuple[Location, Location]:
    virtual = locations_setup(company=company)
    defaults = {
        Transfer.Kind.RECEIPT: (virtual[Location.Kind.SUPPLIER], warehouse.stock_location),
        Transfer.Kind.DELIVERY: (warehouse.stock_location, virtual[Location.Kind.CUSTOMER]),
        Transfer.Kind.INTERNAL: (warehouse.stock_location, None),
    }[kind]
    chosen = []
    for i, (wanted, default) in enumerate(((from_id, defaults[0]), (to_id, defaults[1]))):
        field = ("from_location_id", "to_location_id")[i]
        location = Location.objects.filter(pk=wanted, company=company).first() if wanted is not None else default
        if location is None:
            raise ValidationFailed(
                "Choose both locations of the transfer.", field_errors={field: ["Choose a location of this company."]}
            )
        if location.kind not in SIDES[kind][i]:
            allowed = ", ".join(SIDES[kind][i])
            raise ValidationFailed(
                f"A {kind} goes {'from' if i == 0 else 'to'} a location of kind {allowed}.", field_errors={field: ["Wrong kind."]}
            )
        if location.kind == Location.Kind.INTERNAL and location.warehouse_id != warehouse.pk:
            raise ValidationFailed(
                f"{location.full_name} is not in warehouse {warehouse.code}.", field_errors={field: ["Other warehouse."]}
            )
        chosen.append(location)
    if chosen[0].pk == chosen[1].pk:
        raise ValidationFailed(
            "A transfer needs two different locations.", field_errors={"to_location_id": ["Same as the source."]}
        )
    return chosen[0], chosen[1]


def _lines(company: Company, kind: str, lines: Sequence[TransferLineIn]) -> list[TransferLine]:
    if not lines:
        raise ValidationFailed("A transfer needs at least one line.", field_errors={"lines": ["Add a line."]})
    products = {
        p.pk: p for p in Product.objects.filter(company=company, pk__in={x.product_id for x in lines}).select_related("uom")
    }
    units = {u.pk: u for u in Uom.objects.filter(company=company, pk__in={x.uom_id for x in lines if x.uom_id})}
    errors: dict[str, list[str]] = {}
    rows = []
    for i, line in enumerate(lines):
        key = f"lines[{i}]"
        product = products.get(line.product_id)
        if product is None or not product.is_active:
            errors[key] = ["Choose an active product of this company."]
            continue
        if not product.is_stocked():
            errors[key] = [f"{product.sku} is a service and is not moved through stock."]
            continue
        unit = units.get(line.uom_id) if line.uom_id else product.uom
        if unit is None:
            errors[key] = ["Choose a unit of this company."]
            continue
        try:
            quantity = check_quantity(
                product, convert_quantity(to_decimal(line.quantity), unit, product.uom), one_per_serial=False
            )
            if product.tracking == Product.Tracking.SERIAL and kind == Transfer.Kind.RECEIPT and quantity != 1:
                raise ValidationFailed(f"{product.sku} is tracked by serial number: receive one serial per line.")
            if product.is_tracked() and kind == Transfer.Kind.RECEIPT and not line.lot.strip():
                raise ValidationFailed(f"{product.sku} is tracked: give the lot or serial number.")
            if line.lot.strip() and not product.is_tracked():
                raise ValidationFailed(f"{product.sku} is not tracked by lot.")
            lot = lot_for(product, line.lot, create=kind == Transfer.Kind.RECEIPT)
            cost = product.cost_price if line.unit_cost is None else to_decimal(line.unit_cost)
            if cost < 0:
                raise ValidationFailed("The unit cost cannot be negative.")
        except ValidationFailed as exc:
            errors[key] = [exc.message]
            continue
        except (TypeError, ValueError) as exc:
            errors[key] = [str(exc)]
            continue
        rows.append(TransferLine(product=product, lot=lot, quantity=quantity, unit_cost=cost))
    if errors:
        message = next(iter(errors.values()))[0] if len(errors) == 1 else "Some lines are not valid."
        raise ValidationFailed(message, field_errors=errors)
    return rows


@service_atomic
def transfer_create(
    *,
    actor: User | None,
    company: Company,
    kind: str,
    warehouse_id: int,
    lines: Sequence[TransferLineIn],
    party_id: int | None = None,
    reference: str = "",
    scheduled_date: dt.date | None = None,
    from_location_id: int | None = None,
    to_location_id: int | None = None,
    confirm: bool = False,
) -> Transfer:
    """Draft a receipt, delivery or internal transfer of one company, numbered like WH/IN/00001.

    Receipts come from the suppliers into the warehouse's stock, deliveries go from its stock to
    the customers, internal transfers between two of its internal locations (or to transit).
    Quantities may be given in another unit of the product's unit category; they are stored in
    the product's unit. Raises ValidationFailed for foreign products, parties or locations.
    With ``confirm=True`` the transfer is confirmed at once, as ``transfer_confirm`` would do it
    (InsufficientStock when a line cannot be reserved).
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    if kind not in Transfer.Kind.values:
        raise ValidationFailed(f"Unknown kind of transfer {kind!r}.", field_errors={"kind": ["Receipt, delivery or internal."]})
    warehouse = (
        Warehouse.objects.filter(pk=warehouse_id, company=company, is_active=True).select_related("stock_location").first()
    )
    if warehouse is None:
        raise NotFound("No such warehouse.")
    party = None
    if party_id is not None:
        party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
        if party is None:
            raise NotFound("No such party.")
    from_location, to_location = _sides(company, kind, warehouse, from_location_id, to_location_id)
    rows = _lines(company, kind, lines)
    # Numbering last: the series row stays locked until commit, so hold it as briefly as possible.
    number = sequence_next(
        company=company, code=f"inventory.{warehouse.code}.{kind}", prefix=f"{warehouse.code}/{Transfer.PREFIX[kind]}/"
    )
    transfer = Transfer.objects.create(
        company=company,
        kind=kind,
        number=number,
        warehouse=warehouse,
        from_location=from_location,
        to_location=to_location,
        party=party,
        reference=reference.strip()[:100],
        scheduled_date=scheduled_date,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    for row in rows:
        row.transfer = transfer
    TransferLine.objects.bulk_create(rows)
    audit.record(actor=actor, target=transfer, action="created")
    if confirm:
        # The transfer is new, so nobody else can be holding it; its products are locked now,
        # after it, in the order every stock change takes them, and its lines are those above.
        _confirm(transfer, lock_products(company, [row.product_id for row in rows]), actor, rows)
        audit.record(actor=actor, target=transfer, action="confirmed")
    return transfer


def _locked_transfer(company: Company, transfer_id: int) -> Transfer:
    transfer = unique_row(
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_location", "to_location", "warehouse", "party")
        .filter(pk=transfer_id, company=company)
    )
    if transfer is None:
        raise NotFound("No such transfer.")
    transfer.company = company  # the row was found by this company: no need to read it again
    return transfer


def _confirm(
    transfer: Transfer, products: Mapping[int, Product], actor: User | None, lines: Sequence[TransferLine] | None = None
) -> None:
    """Plan the moves of the transfer's lines (given, with their lots, when the caller has them) and reserve their stock."""
    if lines is None:
        lines = list(transfer.lines.select_related("lot").order_by("pk"))
    StockMove.objects.bulk_create(
        [
            planned_move(
                product=products[line.product_id],
                from_location=transfer.from_location,
                to_location=transfer.to_location,
                quantity=line.quantity,
                lot=line.lot,
                unit_cost=line.unit_cost,
                transfer=transfer,
                transfer_line=line,
                party=transfer.party,
                reference=transfer.number,
            )
            for line in lines
        ]
    )
    reserved: list[dict[str, object]] = []
    if transfer.from_location.holds_stock():
        # All the lines at once: their quants locked by one ordered read, after the products.
        reservations = reserve_many(
            location=transfer.from_location,
            asked=[
                Reserve(product=products[line.product_id], quantity=line.quantity, lot=line.lot, transfer_line_id=line.pk)
                for line in lines
            ],
            reference=transfer.number,
            actor=actor,
            party=transfer.party,
        )
        reserved = [
            {
                "reservation_id": reservation.pk,
                "product_id": reservation.product.pk,
                "sku": reservation.product.sku,
                "location": transfer.from_location.full_name,
                "quantity": fmt(reservation.quantity),
                "reference": transfer.number,
            }
            for reservation in reservations
        ]
    # One event per reservation, written together.
    events.publish_many(
        "inventory.stock_reserved", company=transfer.company, party=transfer.party, actor=actor, payloads=reserved
    )
    transfer.state = Transfer.State.CONFIRMED
    transfer.save(update_fields=["state", "updated_at"])


@service_atomic
def transfer_confirm(*, actor: User | None, company: Company, transfer_id: int) -> Transfer:
    """Confirm a draft transfer: plan its moves and reserve the stock that leaves an internal location.

    Raises StateError unless it is a draft; InsufficientStock when a line cannot be reserved
    (nothing is reserved then).
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    transfer = _locked_transfer(company, transfer_id)
    if not transfer.can_confirm():
        raise StateError(f"{transfer.number} is {transfer.get_state_display().lower()}; only a draft can be confirmed.")
    lines = list(transfer.lines.select_related("lot").order_by("pk"))
    _confirm(transfer, lock_products(company, [line.product_id for line in lines]), actor, lines)
    audit.record(actor=actor, target=transfer, action="confirmed")
    return transfer


def _done_quantities(
    transfer: Transfer, lines: list[TransferLine], quantities: Mapping[int, Decimal] | None
) -> dict[int, Decimal]:
    if quantities is None:
        return {line.pk: line.quantity for line in lines}
    unknown = set(quantities) - {line.pk for line in lines}
    if unknown:
        raise ValidationFailed(
            f"{transfer.number} has no line {sorted(unknown)[0]}.", field_errors={"quantities": ["Unknown line."]}
        )
    done: dict[int, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for line in lines:
        value = quantities.get(line.pk, ZERO)
        if isinstance(value, float):
            errors[f"quantities[{line.pk}]"] = ["Use exact decimals, not floats."]
            continue
        value = to_decimal(value)
        if value < 0 or value > line.quantity:
            errors[f"quantities[{line.pk}]"] = [f"Between 0 and {fmt(line.quantity)}."]
        elif value and not line.product.uom.is_exact(value):
            errors[f"quantities[{line.pk}]"] = [f"Use a multiple of {fmt(line.product.uom.rounding)}."]
        done[line.pk] = value
    if errors:
        raise ValidationFailed("Some quantities are not valid.", field_errors=errors)
    if not any(done.values()):
        raise ValidationFailed("Nothing to validate: every quantity is zero.", field_errors={"quantities": ["All zero."]})
    return done


@service_atomic
def transfer_validate(
    *,
    actor: User | None,
    company: Company,
    transfer_id: int,
    quantities: Mapping[int, Decimal] | None = None,
    backorder: bool = True,
) -> Transfer:
    """Make a transfer's moves done (a draft is confirmed first).

    ``quantities`` maps line ids to the quantity actually moved (all of each line by default).
    What is left goes to a backorder, a new confirmed transfer keeping the rest of the planned
    moves and reservations; with ``backorder=False`` the rest is cancelled instead. Twenty
    clerks validating at once move the stock once: the transfer row is locked first and the
    others get StateError (QUALITY C4). Publishes inventory.received or inventory.delivered.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    transfer = _locked_transfer(company, transfer_id)
    if transfer.state not in (Transfer.State.DRAFT, Transfer.State.CONFIRMED):
        raise StateError(f"{transfer.number} is {transfer.get_state_display().lower()} and cannot be validated.")
    lines = list(transfer.lines.select_related("lot").order_by("pk"))
    products = lock_products(company, [line.product_id for line in lines])
    if transfer.is_draft():
        _confirm(transfer, products, actor, lines)
    for line in lines:
        line.product = products[line.product_id]
    done = _done_quantities(transfer, lines, quantities)
    leftovers: list[tuple[TransferLine, Decimal, StockMove, Reservation | None]] = []
    made: list[StockMove] = []
    drafts, reservations = _planned(lines)
    quants = _lock_quants(transfer, lines, drafts, reservations)
    for line in lines:
        draft = drafts[line.pk]
        reservation = reservations.get(line.pk)
        if reservation is not None:
            reservation.product = line.product
        quantity, rest = done[line.pk], line.quantity - done[line.pk]
        if quantity and reservation is not None:
            made += consume(
                reservation,
                quantity,
                to_location=transfer.to_location,
                actor=actor,
                draft=draft if not rest else None,
                allocations=reservation.taking,
                quants=quants,
                transfer=transfer,
                transfer_line=line,
                party=transfer.party,
                reference=transfer.number,
                unit_cost=line.unit_cost,
            )
        elif quantity:
            if rest:
                StockMove.objects.filter(pk=draft.pk).update(quantity=rest)
                draft.quantity = rest
                part = new_move(
                    product=line.product,
                    from_location=transfer.from_location,
                    to_location=transfer.to_location,
                    quantity=quantity,
                    lot=line.lot,
                    unit_cost=line.unit_cost,
                    transfer=transfer,
                    transfer_line=line,
                    party=transfer.party,
                    reference=transfer.number,
                )
                made.append(execute(part, line.product, actor, quants=quants))
            else:
                made.append(execute(draft, line.product, actor, quants=quants))
        if rest:
            leftovers.append((line, rest, draft, reservation))
        line.quantity_done = quantity
    quants.save()
    TransferLine.objects.bulk_update(lines, ["quantity_done"])
    follow_up = _backorder(transfer, leftovers, actor) if leftovers and backorder else None
    if leftovers and not backorder:
        for _line, rest, draft, reservation in leftovers:
            if reservation is not None and reservation.is_open():
                release(reservation)
            StockMove.objects.filter(pk=draft.pk).update(
                state=StockMove.State.CANCELLED, quantity=rest, updated_at=timezone.now()
            )
    value_moves(
        company=company,
        moves=made,
        reference=transfer.number,
        memo=f"Stock valuation of {transfer.number}" + (f" ({transfer.reference})" if transfer.reference else ""),
        source=f"inventory.transfer:{transfer.pk}",
        party_id=transfer.party_id,
    )
    transfer.state = Transfer.State.DONE
    transfer.done_at = timezone.now()
    transfer.save(update_fields=["state", "done_at", "updated_at"])
    audit.record(
        actor=actor,
        target=transfer,
        action="validated",
        changes={"backorder": [None, follow_up.number if follow_up else None]},
    )
    _publish_done(transfer, lines, follow_up, actor)
    return transfer


def _planned(lines: list[TransferLine]) -> tuple[dict[int, StockMove], dict[int, Reservation]]:
    """Lock the lines' planned moves and open reservations (after their products: the fixed lock
    order), one read per table in line order; each reservation comes with its allocations in the
    order ``consume`` takes them, as ``taking``."""
    drafts: dict[int, StockMove] = {}
    for move in (
        StockMove.objects.select_for_update(of=("self",))
        .select_related("from_location", "to_location", "lot")
        .filter(transfer_line__in=lines, state=StockMove.State.DRAFT)
        .order_by("transfer_line_id", "pk")
    ):
        if move.transfer_line_id in drafts:
            raise StockMove.MultipleObjectsReturned(f"Transfer line {move.transfer_line_id} has two planned moves.")
        drafts[move.transfer_line_id] = move
    if missing := [line.pk for line in lines if line.pk not in drafts]:
        raise StockMove.DoesNotExist(f"Transfer line {missing[0]} has no planned move.")
    reservations: dict[int, Reservation] = {}
    for reservation in (
        Reservation.objects.select_for_update(of=("self",))
        .filter(transfer_line__in=lines, state=Reservation.State.OPEN)
        .order_by("transfer_line_id", "pk")
        .prefetch_related(taking_order())
    ):
        reservations.setdefault(reservation.transfer_line_id, reservation)  # type: ignore[arg-type]
    return drafts, reservations


def _lock_quants(
    transfer: Transfer, lines: list[TransferLine], drafts: Mapping[int, StockMove], reservations: Mapping[int, Reservation]
) -> Quants:
    """Lock, in one ordered read, the quants the lines' moves will change (after the products and
    the planned moves); a quant not found yet is locked or created when its move is made."""
    keys: list[tuple[int, int, int | None]] = []
    for line in lines:
        reservation = reservations.get(line.pk)
        sources = (
            [(a.location_id, a.lot_id) for a in reservation.taking]
            if reservation is not None
            else [(transfer.from_location_id, drafts[line.pk].lot_id)]
        )
        for location_id, lot_id in sources:
            if transfer.from_location.holds_stock():
                keys.append((line.product_id, location_id, lot_id))
            if transfer.to_location.holds_stock():
                keys.append((line.product_id, transfer.to_location_id, lot_id))
    quants = Quants()
    quants.lock_keys(keys)
    return quants


def _backorder(
    transfer: Transfer, leftovers: list[tuple[TransferLine, Decimal, StockMove, Reservation | None]], actor: User | None
) -> Transfer:
    """Move what was not done to a new confirmed transfer, with its planned moves and reservations."""
    number = sequence_next(
        company=transfer.company,
        code=f"inventory.{transfer.warehouse.code}.{transfer.kind}",
        prefix=f"{transfer.warehouse.code}/{Transfer.PREFIX[transfer.kind]}/",
    )
    follow_up = Transfer.objects.create(
        company=transfer.company,
        kind=transfer.kind,
        state=Transfer.State.CONFIRMED,
        number=number,
        warehouse=transfer.warehouse,
        from_location=transfer.from_location,
        to_location=transfer.to_location,
        party=transfer.party,
        reference=transfer.reference,
        scheduled_date=transfer.scheduled_date,
        backorder_of=transfer,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    for line, rest, draft, reservation in leftovers:
        new_line = TransferLine.objects.create(
            transfer=follow_up, product=line.product, lot=line.lot, quantity=rest, unit_cost=line.unit_cost
        )
        # The planned move of what is left (never made done above) follows the rest to the backorder.
        StockMove.objects.filter(pk=draft.pk).update(
            transfer=follow_up, transfer_line=new_line, quantity=rest, reference=number, updated_at=timezone.now()
        )
        if reservation is not None and reservation.is_open():
            Reservation.objects.filter(pk=reservation.pk).update(
                transfer_line=new_line, reference=number, updated_at=timezone.now()
            )
    audit.record(actor=actor, target=follow_up, action="created", changes={"backorder_of": [None, transfer.number]})
    return follow_up


def _publish_done(transfer: Transfer, lines: list[TransferLine], follow_up: Transfer | None, actor: User | None) -> None:
    name = {Transfer.Kind.RECEIPT: "inventory.received", Transfer.Kind.DELIVERY: "inventory.delivered"}.get(transfer.kind)
    if name is None:
        return
    events.publish(
        name,
        company=transfer.company,
        party=transfer.party,
        actor=actor,
        transfer_id=transfer.pk,
        number=transfer.number,
        reference=transfer.reference,
        party_id=transfer.party_id,
        backorder_number=follow_up.number if follow_up else "",
        lines=[
            {"product_id": line.product_id, "sku": line.product.sku, "quantity": fmt(line.quantity_done)}
            for line in lines
            if line.quantity_done
        ],
    )


@transaction.atomic
def transfer_cancel(*, actor: User | None, company: Company, transfer_id: int) -> Transfer:
    """Cancel a draft or confirmed transfer: its reservations are released, its planned moves cancelled."""
    if actor is not None:
        require(actor, "inventory.manage", company)
    transfer = _locked_transfer(company, transfer_id)
    if not transfer.can_cancel():
        raise StateError(f"{transfer.number} is {transfer.get_state_display().lower()} and cannot be cancelled.")
    products = lock_products(company, transfer.lines.values_list("product_id", flat=True))
    for reservation in Reservation.objects.select_for_update().filter(
        transfer_line__transfer=transfer, state=Reservation.State.OPEN
    ):
        reservation.product = products[reservation.product_id]
        release(reservation)
    StockMove.objects.filter(transfer=transfer, state=StockMove.State.DRAFT).update(
        state=StockMove.State.CANCELLED, updated_at=timezone.now()
    )
    transfer.state = Transfer.State.CANCELLED
    transfer.save(update_fields=["state", "updated_at"])
    audit.record(actor=actor, target=transfer, action="cancelled")
    return transfer
