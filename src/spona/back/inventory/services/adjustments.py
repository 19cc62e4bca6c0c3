"""Physical inventory counts and scrap: stock corrected against the inventory-loss location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from spona.back.inventory.models import Location, Product, StockMove, StockQuant
from spona.back.inventory.services.locations import virtual_location
from spona.back.inventory.services.stock import execute, fmt, lock_products, lot_for, new_move, value_move
from spona.back.inventory.services.valuation import value_moves
from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.money import to_decimal
from spona.core.permissions import require

ZERO = Decimal(0)


@dataclass(frozen=True)
class CountIn:
    """What was counted of one product (and lot) in the location."""

    product_id: int
    counted: Decimal
    lot: str = ""


def _internal(company: Company, location_id: int) -> Location:
    location = Location.objects.filter(pk=location_id, company=company).first()
    if location is None:
        raise NotFound("No such location.")
    if not location.is_internal():
        raise ValidationFailed("Stock is counted in internal locations.", field_errors={"location_id": ["Not internal."]})
    return location


@transaction.atomic
def inventory_count_apply(
    *, actor: User | None, company: Company, location_id: int, counts: Sequence[CountIn], reason: str
) -> list[StockMove]:
    """Set the stock of a location to what was counted, with a reason (“annual count 2026”).

    Each difference becomes a done move from or to the inventory-loss location. A count may
    fall below what is reserved: the count is the truth, and the reservations then wait for
    stock. Raises ValidationFailed for a negative count, a lot missing for a tracked product,
    a serial counted more than once, or no reason.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the reason for the adjustment.", field_errors={"reason": ["Required."]})
    location = _internal(company, location_id)
    loss = virtual_location(company, Location.Kind.INVENTORY_LOSS)
    products = lock_products(company, [c.product_id for c in counts])
    seen: set[tuple[int, str]] = set()
    moves = []
    for i, count in enumerate(counts):
        product = products[count.product_id]
        if isinstance(count.counted, float):
            raise ValidationFailed("Counts must be exact decimals.", field_errors={f"counts[{i}]": ["Not a float."]})
        counted = to_decimal(count.counted)
        if counted < 0 or not product.uom.is_exact(counted) or (product.tracking == Product.Tracking.SERIAL and counted > 1):
            raise ValidationFailed(
                f"{product.sku}: {fmt(counted)} cannot be counted.", field_errors={f"counts[{i}]": ["Invalid count."]}
            )
        if (product.pk, count.lot.strip()) in seen:
            raise ValidationFailed(f"{product.sku} is counted twice.", field_errors={f"counts[{i}]": ["Counted twice."]})
        seen.add((product.pk, count.lot.strip()))
        lot = lot_for(product, count.lot, create=True)
        if product.is_tracked() and lot is None:
            raise ValidationFailed(
                f"{product.sku} is tracked: count it per lot.", field_errors={f"counts[{i}]": ["Lot required."]}
            )
        quant = StockQuant.objects.filter(product=product, location=location, lot=lot).first()
        on_hand = quant.quantity if quant else ZERO
        if counted == on_hand:
            continue
        source, target = (loss, location) if counted > on_hand else (location, loss)
        move = new_move(
            product=product,
            from_location=source,
            to_location=target,
            quantity=abs(counted - on_hand),
            lot=lot,
            reason=reason[:200],
            reference=f"Count {location.full_name}"[:100],
        )
        moves.append(execute(move, product, actor, below_reserved=True))
    value_moves(
        company=company,
        moves=moves,
        reference=f"Count {location.full_name}",
        memo=f"Inventory count: {reason}",
        source=f"inventory.count:{location.pk}",
    )
    audit.record(
        actor=actor,
        target=location,
        action="counted",
        changes={"reason": [None, reason], "moves": [None, [m.pk for m in moves]]},
        company_id=company.pk,
    )
    return moves


@transaction.atomic
def scrap(
    *, actor: User | None, company: Company, product_id: int, location_id: int, quantity: Decimal, reason: str, lot: str = ""
) -> StockMove:
    """Write off damaged or expired stock: a done move to the inventory-loss location.

    Only available stock can be scrapped; stock reserved for someone is released first.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the reason for scrapping.", field_errors={"reason": ["Required."]})
    location = _internal(company, location_id)
    product = lock_products(company, [product_id])[product_id]
    move = new_move(
        product=product,
        from_location=location,
        to_location=virtual_location(company, Location.Kind.INVENTORY_LOSS),
        quantity=quantity,
        lot=lot_for(product, lot, create=False),
        reason=f"Scrap: {reason}"[:200],
        reference="Scrap",
    )
    execute(move, product, actor)
    value_move(company, move)
    audit.record(actor=actor, target=move, action="scrapped")
    return move
