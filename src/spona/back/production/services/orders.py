"""Production orders: create (exploding the BoM), confirm (reserve and schedule), produce in
batches (consume components, receive finished goods at their rolled-up cost), finish, cancel.

Lock order (QUALITY S3): the production order first, then the work centres (scheduling), then
the products inside inventory's services. Stock changes go through inventory's services only:
components leave stock for the company's production location, finished goods come back from
it with the batch's cost as ``unit_cost``, so that stock valuation and the ledger follow.
The operations' part of that cost (labour and machine time) is absorbed by an entry of its
own, Dr work in progress / Cr production costs absorbed, so that work in progress is empty
once the batch is in stock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

import spona.back.finance.selectors as finance_selectors
import spona.back.finance.services as finance
import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory
from spona.back.production.models import Bom, OrderComponent, OrderOperation, ProductionOrder, ProductRoute
from spona.back.production.services.boms import explode, route_of
from spona.back.production.services.common import (
    CENT,
    ZERO,
    fmt,
    party_of,
    positive,
    product_of,
    warehouse_of,
)
from spona.back.production.services.scheduling import schedule, unschedule
from spona.core import audit, events
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services import sequence_next

PRODUCTION_LOCATION = "production"
UNIT_COST = Decimal("0.0001")
# Inventory's stock journal: the absorption entry sits next to the stock entries of the same batch.
JOURNAL_CODE, JOURNAL_NAME = "STK", "Stock valuation"


def unit_cost_of(company: Company, product: Any) -> Decimal:
    """What one unit of a component is worth now, by the stock valuation (its cost price before any stock)."""
    return inventory_selectors.product_unit_cost(company=company, product_id=product.pk)


def moves_value(company: Company, moves: Iterable[Any]) -> Decimal:
    """The value at which done moves left stock, by the stock valuation."""
    values = inventory_selectors.move_values(company=company, move_ids=[m.pk for m in moves])
    return sum(values.values(), ZERO)


def _locked(company: Company, order_id: int) -> ProductionOrder:
    order = (
        ProductionOrder.objects.select_for_update(of=("self",))
        .select_related("product__uom", "warehouse", "party")
        .filter(pk=order_id, company=company)
        .first()
    )
    if order is None:
        raise NotFound("No such production order.")
    return order


def _payload(order: ProductionOrder) -> dict[str, object]:
    return {
        "order_id": order.pk,
        "number": order.number,
        "product_id": order.product_id,
        "sku": order.product.sku,
        "quantity": fmt(order.quantity),
        "reference": order.reference,
    }


# Create ------------------------------------------------------------------------------------------


@transaction.atomic
def production_order_create(
    *,
    actor: User | None,
    company: Company,
    product_id: int,
    quantity: Decimal,
    warehouse_id: int,
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    reference: str = "",
    party_id: int | None = None,
    bom_id: int | None = None,
    parent: ProductionOrder | None = None,
) -> ProductionOrder:
    """Draft an order to make ``quantity`` of a product in a warehouse from its active BoM (or ``bom_id``).

    The BoM is exploded now (multi-level, scrap included, sub-assemblies without stock made
    here or by child orders) and the planned cost is rolled up from the components' unit
    costs and the work centres' hourly costs. Raises ValidationFailed for a product without a
    BoM, an inexact quantity or foreign records.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    product = product_of(company, product_id)
    warehouse = warehouse_of(company, warehouse_id)
    party = party_of(company, party_id)
    quantity = positive(quantity, "quantity")
    if not product.uom.is_exact(quantity):
        raise ValidationFailed(
            f"{product.sku} is made in steps of {fmt(product.uom.rounding)} {product.uom.name}.",
            field_errors={"quantity": [f"Use a multiple of {fmt(product.uom.rounding)}."]},
        )
    boms = Bom.objects.filter(company=company, product=product)
    bom = boms.filter(pk=bom_id).first() if bom_id else boms.filter(is_active=True).first()
    if bom is None:
        raise ValidationFailed(
            f"{product.sku} has no bill of materials to make it from.", code="no_bom", field_errors={"bom_id": ["No BoM."]}
        )
    start = start_date or timezone.localdate()
    if not 2000 <= start.year <= 2999 or (due_date is not None and not 2000 <= due_date.year <= 2999):
        raise ValidationFailed("Give dates between the years 2000 and 2999.", field_errors={"start_date": ["Out of range."]})
    plan = explode(company=company, bom=bom, quantity=quantity, location_id=warehouse.stock_location_id)
    order = ProductionOrder(
        company=company,
        product=product,
        bom=bom,
        warehouse=warehouse,
        quantity=quantity,
        start_date=start,
        due_date=due_date,
        reference=(reference or "").strip()[:100],
        party=party,
        parent=parent,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    order.number = sequence_next(company=company, code="production.order", prefix="MO/")
    order.save()
    components = [
        OrderComponent(
            order=order,
            product=need.product,
            quantity=need.quantity,
            planned_unit_cost=unit_cost_of(company, need.product),
            exploded_from=need.exploded_from,
        )
        for need in plan.components
    ]
    OrderComponent.objects.bulk_create(components)
    operations = [
        OrderOperation(
            order=order,
            name=op.name,
            work_centre=op.work_centre,
            minutes_per_unit=op.minutes_per_unit,
            setup_minutes=op.setup_minutes,
            planned_minutes=op.minutes,
            cost_per_hour=op.work_centre.cost_per_hour,
            sequence=(i + 1) * 10,
        )
        for i, op in enumerate(plan.operations)
    ]
    OrderOperation.objects.bulk_create(operations)
    planned = sum((c.planned_value for c in components), ZERO) + sum((o.planned_value for o in operations), ZERO)
    order.planned_cost = planned.quantize(CENT)
    order.save(update_fields=["planned_cost", "updated_at"])
    for child in plan.children:
        production_order_create(
            actor=actor,
            company=company,
            product_id=child.product.pk,
            quantity=child.quantity,
            warehouse_id=warehouse.pk,
            start_date=start,
            due_date=start,
            reference=order.number,
            party_id=party_id,
            bom_id=child.bom.pk,
            parent=order,
        )
    audit.record(actor=actor, target=order, action="created", changes={"quantity": [None, fmt(quantity)]})
    return order


@transaction.atomic
def production_order_for_demand(
    *,
    actor: User | None,
    company: Company,
    product_id: int,
    quantity: Decimal,
    warehouse_id: int,
    reference: str,
    due_date: dt.date | None = None,
    party_id: int | None = None,
) -> ProductionOrder | None:
    """Make what a sales order needs: the hook sales calls for a line without stock.

    Returns the confirmed production order (components reserved, operations scheduled from
    today) when the product's route is make to order or make to stock and it has an active
    BoM; None when its route is "buy" (purchasing meets that demand). Calling it again for the
    same reference and product returns the order made the first time, so a redelivered event
    makes no second order.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    if not (reference or "").strip():
        raise ValidationFailed("Name the demand (e.g. the sales order number).", field_errors={"reference": ["Required."]})
    if route_of(company=company, product_id=product_id) == ProductRoute.Route.BUY:
        return None
    existing = (
        ProductionOrder.objects.filter(
            company=company, product_id=product_id, reference=reference.strip()[:100], parent__isnull=True
        )
        .exclude(state=ProductionOrder.State.CANCELLED)
        .first()
    )
    if existing is not None:
        return existing
    order = production_order_create(
        actor=actor,
        company=company,
        product_id=product_id,
        quantity=quantity,
        warehouse_id=warehouse_id,
        due_date=due_date,
        reference=reference,
        party_id=party_id,
    )
    return production_order_confirm(actor=actor, company=company, order_id=order.pk)


# Confirm and reserve -----------------------------------------------------------------------------


def _reserve(actor: User | None, company: Company, order: ProductionOrder) -> list[dict[str, object]]:
    """Reserve what each component still lacks in the warehouse; return the lines still short.

    A line keeps one reservation: when more stock can be promised, the old reservation is
    given back and a larger one taken, both in one savepoint so that a refusal keeps the old.
    """
    short = []
    location_id = order.warehouse.stock_location_id
    for line in order.components.select_related("product__uom", "reservation").order_by("pk"):
        held = line.reservation.quantity if line.reservation is not None and line.reservation.is_open() else ZERO
        wanted = line.quantity - line.consumed_quantity - held
        take = ZERO
        if wanted > 0:
            level = inventory_selectors.stock_level(
                user=None, company=company, product_id=line.product_id, location_id=location_id
            )
            take = wanted if line.product.allow_negative_stock else min(wanted, max(level.available, ZERO))
        if take > 0:
            try:
                with transaction.atomic():
                    if held > 0:
                        inventory.reservation_release(actor=actor, company=company, reservation_id=line.reservation_id)
                    line.reservation = inventory.reservation_create(
                        actor=actor,
                        company=company,
                        product_id=line.product_id,
                        location_id=location_id,
                        quantity=held + take,
                        reference=order.number,
                        party_id=order.party_id,
                    )
            except inventory.InsufficientStock:
                # Someone took the stock between the count and the reservation: it stays short.
                take = ZERO
        line.short_quantity = max(wanted - take, ZERO)
        line.save(update_fields=["reservation", "short_quantity"])
        if line.short_quantity > 0:
            short.append({"product_id": line.product_id, "sku": line.product.sku, "short": fmt(line.short_quantity)})
    order.components_short = bool(short)
    return short


def _publish_short(actor: User | None, order: ProductionOrder, short: list[dict[str, object]]) -> None:
    if short:
        events.publish(
            "production.components_short",
            company=order.company,
            party=order.party,
            actor=actor,
            order_id=order.pk,
            number=order.number,
            lines=short,
            summary=", ".join(f"{line['short']} × {line['sku']}" for line in short),
        )


@transaction.atomic
def production_order_confirm(*, actor: User | None, company: Company, order_id: int) -> ProductionOrder:
    """Confirm a draft order: schedule its operations, reserve its components, confirm its child orders.

    What cannot be reserved is recorded as short on the component lines and reported with
    ``production.components_short``; the order is confirmed all the same and reserves the rest
    later (``production_order_reserve``). Raises StateError unless the order is a draft, so
    two clerks confirming at once confirm it once (QUALITY C4).
    """
    if actor is not None:
        require(actor, "production.manage", company)
    order = _locked(company, order_id)
    if not order.is_draft():
        raise StateError(f"Production order {order.number} is {order.get_state_display().lower()}, not a draft.")
    for child in order.children.filter(state=ProductionOrder.State.DRAFT).order_by("pk"):
        production_order_confirm(actor=actor, company=company, order_id=child.pk)
    schedule(order)
    short = _reserve(actor, company, order)
    order.state = ProductionOrder.State.CONFIRMED
    order.confirmed_at = timezone.now()
    order.version += 1
    order.save()
    audit.record(actor=actor, target=order, action="confirmed")
    events.publish(
        "production.order_confirmed",
        company=company,
        party=order.party,
        actor=actor,
        planned_end=order.planned_end.isoformat() if order.planned_end else "",
        **_payload(order),
    )
    _publish_short(actor, order, short)
    return order


@transaction.atomic
def production_order_reserve(*, actor: User | None, company: Company, order_id: int) -> ProductionOrder:
    """Try again to reserve the components an open order is short of (stock may have arrived)."""
    if actor is not None:
        require(actor, "production.manage", company)
    order = _locked(company, order_id)
    if not order.is_open():
        raise StateError(f"Production order {order.number} is {order.get_state_display().lower()}.")
    short = _reserve(actor, company, order)
    order.save(update_fields=["components_short", "updated_at"])
    audit.record(actor=actor, target=order, action="reserved")
    _publish_short(actor, order, short)
    return order


# Produce -----------------------------------------------------------------------------------------


def _consume(actor: User | None, company: Company, order: ProductionOrder, line: OrderComponent, quantity: Decimal) -> Decimal:
    """Move ``quantity`` of a component to production (reserved stock first); return its value."""
    production = inventory.locations_setup(company=company)[PRODUCTION_LOCATION]
    moves: list[Any] = []
    reservation = line.reservation
    if reservation is not None:
        reservation.refresh_from_db(fields=["quantity", "state"])
    from_reserved = min(reservation.quantity, quantity) if reservation is not None and reservation.is_open() else ZERO
    if from_reserved > 0:
        moves += inventory.reservation_consume(
            actor=actor,
            company=company,
            reservation_id=line.reservation_id,
            quantity=from_reserved,
            to_location_id=production.pk,
        )
    if quantity > from_reserved:
        moves.append(
            inventory.move_create(
                actor=actor,
                company=company,
                product_id=line.product_id,
                from_location_id=order.warehouse.stock_location_id,
                to_location_id=production.pk,
                quantity=quantity - from_reserved,
                reference=order.number,
                done=True,
            )
        )
    value = moves_value(company, moves)
    line.consumed_quantity += quantity
    line.consumed_value += value
    line.save(update_fields=["consumed_quantity", "consumed_value"])
    return value


def _absorb(company: Company, order: ProductionOrder, amount: Decimal, move_id: int) -> None:
    """Post the batch's conversion cost: Dr work in progress / Cr production costs absorbed.

    ``amount`` is what the finished goods were valued at beyond the components they consumed,
    so work in progress, debited with the components and credited with the finished goods,
    ends at zero. A company without a chart (or without either account) posts nothing, like
    the stock valuation.
    """
    if amount == 0:
        return
    wip = finance_selectors.account_for_role(company=company, role="wip")
    absorbed = finance_selectors.account_for_role(company=company, role="production_absorbed")
    journal_id = finance.journal_ensure(company=company, code=JOURNAL_CODE, name=JOURNAL_NAME)
    if wip is None or absorbed is None or journal_id is None:
        return
    label = f"{order.number} {absorbed.name}"
    debit, credit = (wip, absorbed) if amount > 0 else (absorbed, wip)
    finance.entry_create(
        actor=None,
        company=company,
        journal_id=journal_id,
        date=timezone.localdate(),
        lines=[
            finance.LineIn(account_id=debit.pk, debit=abs(amount), label=label),
            finance.LineIn(account_id=credit.pk, credit=abs(amount), label=label),
        ],
        reference=order.number,
        memo=f"Labour and machine time of {order.number}",
        party_id=order.party_id,
        source=f"production.order:{order.pk}:{move_id}",
        post=True,
    )


def _share(line: OrderComponent, units: Decimal, order: ProductionOrder, finishing: bool) -> Decimal:
    """The component's part for a batch: proportional to the batch, all the rest when finishing."""
    rest = line.quantity - line.consumed_quantity
    if finishing:
        return max(rest, ZERO)
    uom = line.product.uom
    return min(uom.round(line.quantity * units / order.quantity), max(rest, ZERO))


def _finish(actor: User | None, company: Company, order: ProductionOrder) -> None:
    for line in order.components.filter(reservation__state="open").order_by("pk"):
        inventory.reservation_release(actor=actor, company=company, reservation_id=line.reservation_id)
    unschedule(order, after=timezone.localdate())
    order.state = ProductionOrder.State.DONE
    order.done_at = timezone.now()
    events.publish(
        "production.order_done",
        company=company,
        party=order.party,
        actor=actor,
        produced=fmt(order.produced_quantity),
        scrapped=fmt(order.scrapped_quantity),
        unit_cost=str(order.unit_cost or ZERO),
        actual_cost=str(order.actual_cost),
        currency=company.base_currency,
        **_payload(order),
    )


@transaction.atomic
def production_order_produce(
    *,
    actor: User | None,
    company: Company,
    order_id: int,
    quantity: Decimal,
    scrap_quantity: Decimal = ZERO,
    finish: bool = False,
) -> ProductionOrder:
    """Record a batch: ``quantity`` good units made and ``scrap_quantity`` units spoilt.

    The batch consumes its share of every component (all that is left when the order
    finishes) and the operations' minutes; the finished goods enter stock at
    (value consumed + minutes × hourly cost) ÷ good units, so scrap raises the cost of the
    good units. The order finishes when output reaches its quantity or with ``finish=True``
    (left-over reservations are released). Raises StateError unless confirmed or in progress,
    ValidationFailed for more than remains, InsufficientStock when a component is missing.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    order = _locked(company, order_id)
    if not order.is_open():
        raise StateError(f"Production order {order.number} is {order.get_state_display().lower()}; nothing can be produced.")
    quantity = positive(quantity, "quantity")
    scrap = ZERO if not scrap_quantity else positive(scrap_quantity, "scrap_quantity")
    uom = order.product.uom
    for name, value in (("quantity", quantity), ("scrap_quantity", scrap)):
        if not uom.is_exact(value):
            raise ValidationFailed(
                f"{order.product.sku} is counted in steps of {fmt(uom.rounding)}.", field_errors={name: ["Inexact."]}
            )
    if quantity + scrap > order.remaining_quantity:
        raise ValidationFailed(
            f"Only {fmt(order.remaining_quantity)} of {order.number} remain to be made.",
            field_errors={"quantity": [f"At most {fmt(order.remaining_quantity)} with the scrap."]},
        )
    units = quantity + scrap
    finishing = finish or units == order.remaining_quantity
    materials = ZERO
    for line in order.components.select_related("product__uom", "reservation").order_by("pk"):
        part = _share(line, units, order, finishing)
        if part > 0:
            materials += _consume(actor, company, order, line, part)
    conversion = ZERO
    for op in order.operations.order_by("sequence", "pk"):
        minutes = op.minutes_per_unit * units + (op.setup_minutes if op.spent_minutes == 0 else ZERO)
        op.spent_minutes += minutes
        op.save(update_fields=["spent_minutes"])
        conversion += minutes * op.cost_per_hour / 60
    value = (materials + conversion).quantize(CENT)
    production = inventory.locations_setup(company=company)[PRODUCTION_LOCATION]
    made = inventory.move_create(
        actor=actor,
        company=company,
        product_id=order.product_id,
        from_location_id=production.pk,
        to_location_id=order.warehouse.stock_location_id,
        quantity=quantity,
        unit_cost=(value / quantity).quantize(UNIT_COST),
        reference=order.number,
        done=True,
    )
    # The goods' layer may differ from ``value`` by the unit cost's rounding: absorb what the
    # layer holds beyond the materials, so that work in progress balances to the cent.
    stocked = inventory_selectors.move_values(company=company, move_ids=[made.pk]).get(made.pk, ZERO)
    _absorb(company, order, stocked - materials if stocked else ZERO, made.pk)
    order.produced_quantity += quantity
    order.scrapped_quantity += scrap
    order.actual_cost += value
    order.state = ProductionOrder.State.IN_PROGRESS
    if finishing:
        _finish(actor, company, order)
    order.version += 1
    order.save()
    audit.record(
        actor=actor,
        target=order,
        action="produced",
        changes={"produced": [None, fmt(quantity)], "scrapped": [None, fmt(scrap)], "cost": [None, str(value)]},
    )
    return order


@transaction.atomic
def production_order_finish(*, actor: User | None, company: Company, order_id: int) -> ProductionOrder:
    """Make all that remains of an open order in one last batch and close it (QUALITY C4: once)."""
    if actor is not None:
        require(actor, "production.manage", company)
    order = _locked(company, order_id)
    if not order.is_open():
        raise StateError(f"Production order {order.number} is {order.get_state_display().lower()}, not open.")
    return production_order_produce(
        actor=actor, company=company, order_id=order.pk, quantity=order.remaining_quantity, finish=True
    )


@transaction.atomic
def production_order_cancel(*, actor: User | None, company: Company, order_id: int) -> ProductionOrder:
    """Cancel an order before anything was produced: reservations released, capacity freed, child drafts cancelled."""
    if actor is not None:
        require(actor, "production.manage", company)
    order = _locked(company, order_id)
    if not order.can_cancel():
        raise StateError(f"Production order {order.number} cannot be cancelled now ({order.get_state_display().lower()}).")
    for child in order.children.filter(state__in=["draft", "confirmed"]).order_by("pk"):
        production_order_cancel(actor=actor, company=company, order_id=child.pk)
    for line in order.components.filter(reservation__state="open").order_by("pk"):
        inventory.reservation_release(actor=actor, company=company, reservation_id=line.reservation_id)
    unschedule(order)
    order.state = ProductionOrder.State.CANCELLED
    order.version += 1
    order.save()
    audit.record(actor=actor, target=order, action="cancelled")
    return order
