"""Requests for quotation and purchase orders: draft, send, confirm (with approval), cancel, receive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

import spona.back.inventory.selectors as inventory_selectors
import spona.back.inventory.services as inventory
from spona.back.purchasing.models import PurchaseLine, PurchaseOrder, PurchaseReceipt
from spona.back.purchasing.services.common import (
    ZERO,
    default_tax_ids,
    line_amounts,
    locked_order,
    products_by_id,
    purchase_taxes,
    receipt_unit_cost,
    settings_of,
    units_by_id,
    warehouse_of,
)
from spona.core import audit, events
from spona.core.errors import Conflict, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import round_amount, to_decimal
from spona.core.permissions import require
from spona.core.selectors import exchange_rate_on
from spona.core.services import sequence_next


@dataclass(frozen=True)
class LineIn:
    """One line as a buyer describes it.

    ``unit_price`` None takes the supplier's price break for the quantity; ``uom_id`` None the
    product's purchase unit; ``tax_ids`` None the company's purchase tax; ``expected_date`` None
    the order date plus the supplier's lead time.
    """

    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    uom_id: int | None = None
    tax_ids: Sequence[int] | None = None
    expected_date: dt.date | None = None
    description: str = ""


@dataclass(frozen=True)
class OrderIn:
    """The header of a request for quotation."""

    supplier_id: int
    warehouse_id: int
    lines: Sequence[LineIn]
    currency: str = ""
    order_date: dt.date | None = None
    supplier_reference: str = ""
    notes: str = ""


def _supplier(company: Company, supplier_id: int) -> Party:
    supplier = Party.objects.filter(pk=supplier_id, company=company, merged_into__isnull=True).first()
    if supplier is None:
        raise ValidationFailed("Choose a supplier of this company.", field_errors={"supplier_id": ["Unknown supplier."]})
    return supplier


def _warehouse(company: Company, warehouse_id: int) -> object:
    warehouse = warehouse_of(company, warehouse_id)
    if warehouse is None:
        raise ValidationFailed("Choose a warehouse of this company.", field_errors={"warehouse_id": ["Unknown warehouse."]})
    return warehouse


def _price(company: Company, supplier: Party, product: object, quantity: Decimal, uom: object) -> tuple[Decimal, int]:
    """The supplier's price per ``uom`` for ``quantity`` and its lead time; the product's cost without an offer."""
    purchase_uom = product.purchase_uom  # type: ignore[attr-defined]
    in_purchase_units = inventory.convert_quantity(quantity, uom, purchase_uom)
    offers = inventory_selectors.supplier_offers(
        user=None,
        company=company,
        product_id=product.pk,
        quantity=in_purchase_units,  # type: ignore[attr-defined]
    )
    offer = next((o for o in offers if o.supplier_id == supplier.pk), None)
    if offer is None:
        return product.cost_price, 0  # type: ignore[attr-defined]
    per_purchase_unit = inventory.convert_quantity(Decimal(1), uom, purchase_uom) if uom.pk != purchase_uom.pk else Decimal(1)  # type: ignore[attr-defined]
    return offer.unit_price * per_purchase_unit, offer.lead_time_days


def _build_lines(
    company: Company, supplier: Party, currency: str, order_date: dt.date, lines: Sequence[LineIn]
) -> list[tuple[PurchaseLine, list]]:
    if not lines:
        raise ValidationFailed("An order needs at least one line.", field_errors={"lines": ["Add a line."]})
    products = products_by_id(company, {x.product_id for x in lines})
    units = units_by_id(company, {x.uom_id for x in lines if x.uom_id})
    wanted_taxes = {i for x in lines for i in (x.tax_ids or ())}
    taxes = purchase_taxes(company, wanted_taxes)
    default_taxes = default_tax_ids(company)
    errors: dict[str, list[str]] = {}
    rows: list[tuple[PurchaseLine, list]] = []
    for i, line in enumerate(lines):
        key = f"lines[{i}]"
        product = products.get(line.product_id)
        if product is None or not product.is_active:
            errors[key] = ["Choose an active product of this company."]
            continue
        if not product.is_stocked():
            errors[key] = [f"{product.sku} is a service; purchase orders buy goods that are received into stock."]
            continue
        uom = units.get(line.uom_id) if line.uom_id else product.purchase_uom
        if uom is None:
            errors[key] = ["Choose a unit of this company."]
            continue
        if isinstance(line.quantity, float) or isinstance(line.unit_price, float):
            errors[key] = ["Use exact decimals, not floats."]
            continue
        try:
            quantity = to_decimal(line.quantity)
            if quantity <= 0:
                raise ValidationFailed("The quantity must be positive.")
            if not uom.is_exact(quantity):
                raise ValidationFailed(f"Use a multiple of {uom.rounding.normalize():f} {uom.name}.")
            inventory.convert_quantity(quantity, uom, product.uom)
            price, lead_time = _price(company, supplier, product, quantity, uom)
            if line.unit_price is not None:
                price = to_decimal(line.unit_price)
            if price < 0:
                raise ValidationFailed("The unit price cannot be negative.")
            if price >= Decimal(10) ** 14 or quantity >= Decimal(10) ** 15:
                raise ValidationFailed("The quantity or price is too large.")
        except ValidationFailed as exc:
            errors[key] = [exc.message]
            continue
        tax_ids = default_taxes if line.tax_ids is None else list(dict.fromkeys(line.tax_ids))
        if set(tax_ids) - set(taxes) - set(default_taxes):
            errors[key] = ["Unknown purchase tax."]
            continue
        line_taxes = [t for t in purchase_taxes(company, tax_ids).values()] if tax_ids else []
        subtotal, _tax = line_amounts(quantity, price, line_taxes, currency)
        rows.append(
            (
                PurchaseLine(
                    sequence=(i + 1) * 10,
                    product=product,
                    description=(line.description.strip() or str(product))[:300],
                    uom=uom,
                    quantity=quantity,
                    unit_price=price.quantize(Decimal("0.000001")),
                    expected_date=line.expected_date or order_date + dt.timedelta(days=lead_time),
                    subtotal=subtotal,
                ),
                line_taxes,
            )
        )
    if errors:
        message = next(iter(errors.values()))[0] if len(errors) == 1 else "Some lines are not valid."
        raise ValidationFailed(message, field_errors=errors)
    return rows


def _write_lines(order: PurchaseOrder, rows: list[tuple[PurchaseLine, list]]) -> None:
    order.lines.all().delete()
    for line, _taxes in rows:
        line.order = order
    created = PurchaseLine.objects.bulk_create([line for line, _taxes in rows])
    through = PurchaseLine.taxes.through
    through.objects.bulk_create(
        [through(purchaseline_id=line.pk, tax_id=t.pk) for line, (_l, taxes) in zip(created, rows, strict=True) for t in taxes]
    )
    untaxed = tax = ZERO
    for line, taxes in rows:
        subtotal, line_tax = line_amounts(line.quantity, line.unit_price, taxes, order.currency)
        untaxed, tax = untaxed + subtotal, tax + line_tax
    order.untaxed, order.tax, order.total = untaxed, tax, untaxed + tax
    order.expected_date = max(line.expected_date for line, _taxes in rows)


def _header(company: Company, data: OrderIn) -> tuple[Party, object, str, dt.date]:
    supplier = _supplier(company, data.supplier_id)
    warehouse = _warehouse(company, data.warehouse_id)
    currency = (data.currency or company.base_currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationFailed("Give a three-letter currency code.", field_errors={"currency": ["Unknown currency."]})
    return supplier, warehouse, currency, data.order_date or timezone.localdate()


@transaction.atomic
def order_create(*, actor: User | None, company: Company, data: OrderIn) -> PurchaseOrder:
    """Draft a request for quotation to a supplier, numbered PO/00001.

    Prices default to the supplier's price breaks, expected dates to the supplier's lead time.
    Raises ValidationFailed for foreign suppliers, warehouses, products, units or taxes.
    """
    if actor is not None:
        require(actor, "purchasing.manage", company)
    supplier, warehouse, currency, order_date = _header(company, data)
    rows = _build_lines(company, supplier, currency, order_date, data.lines)
    number = sequence_next(company=company, code="purchasing.order", prefix="PO/")
    order = PurchaseOrder(
        company=company,
        number=number,
        supplier=supplier,
        warehouse=warehouse,
        currency=currency,
        order_date=order_date,
        expected_date=order_date,
        supplier_reference=data.supplier_reference.strip()[:100],
        notes=data.notes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    order.save()
    _write_lines(order, rows)
    order.save(update_fields=["untaxed", "tax", "total", "expected_date", "updated_at"])
    audit.record(actor=actor, target=order, action="created", changes={"total": [None, str(order.total)]})
    return order


@transaction.atomic
def order_update(*, actor: User, company: Company, order_id: int, version: int, data: OrderIn) -> PurchaseOrder:
    """Replace an RFQ's header and lines; refuses confirmed orders and stale edits (QUALITY C2)."""
    require(actor, "purchasing.manage", company)
    order = locked_order(company, order_id)
    if not order.can_edit():
        raise StateError(f"{order.number} is {order.get_state_display().lower()}; only an RFQ can be changed.")
    if order.version != version:
        raise Conflict("Someone else changed this order since you opened it. Reload it and apply your change again.")
    supplier, warehouse, currency, order_date = _header(company, data)
    rows = _build_lines(company, supplier, currency, order_date, data.lines)
    before = {"supplier": order.supplier_id, "total": str(order.total)}
    order.supplier, order.warehouse, order.currency, order.order_date = supplier, warehouse, currency, order_date
    order.supplier_reference, order.notes = data.supplier_reference.strip()[:100], data.notes
    _write_lines(order, rows)
    order.version += 1
    order.save()
    audit.record(
        actor=actor,
        target=order,
        action="updated",
        changes=audit.diff(before, {"supplier": supplier.pk, "total": str(order.total)}),
    )
    return order


@transaction.atomic
def order_send(*, actor: User, company: Company, order_id: int) -> PurchaseOrder:
    """Mark an RFQ as sent to the supplier (the PDF is what goes out)."""
    require(actor, "purchasing.manage", company)
    order = locked_order(company, order_id)
    if not order.can_send():
        raise StateError(f"{order.number} is {order.get_state_display().lower()} and is no longer an RFQ to send.")
    order.state = PurchaseOrder.State.SENT
    order.version += 1
    order.save(update_fields=["state", "version", "updated_at"])
    audit.record(actor=actor, target=order, action="sent")
    return order


def _in_company_currency(company: Company, order: PurchaseOrder, amount: Decimal) -> Decimal:
    rate = exchange_rate_on(company=company, currency=order.currency, on=order.order_date)
    return amount * rate


@transaction.atomic
def order_confirm(*, actor: User, company: Company, order_id: int) -> PurchaseOrder:
    """Confirm an RFQ into a purchase order, or send it for approval when above the threshold.

    Above the company's approval threshold (in company currency) the order waits in "to
    approve" and automation is asked who approves; otherwise the receipt is planned at once.
    Twenty clicks at once confirm once: the order row is locked and the others get StateError
    (QUALITY C4).
    """
    require(actor, "purchasing.manage", company)
    order = locked_order(company, order_id)
    if not order.can_confirm():
        raise StateError(f"{order.number} is {order.get_state_display().lower()}; only an RFQ can be confirmed.")
    threshold = settings_of(company).approval_threshold
    if _in_company_currency(company, order, order.total) > threshold:
        from spona.back.purchasing.services.approvals import approval_ask

        order.state = PurchaseOrder.State.TO_APPROVE
        order.version += 1
        order.save(update_fields=["state", "version", "updated_at"])
        audit.record(actor=actor, target=order, action="approval_requested", changes={"total": [None, str(order.total)]})
        approval_ask(actor=actor, company=company, order=order)
        return order
    return _confirm(actor, company, order)


def _confirm(actor: User | None, company: Company, order: PurchaseOrder) -> PurchaseOrder:
    """Plan the receipt of every line (unit cost in company currency per stock unit) and confirm."""
    lines = list(order.lines.select_related("product__uom", "uom").order_by("sequence", "pk"))
    rate = exchange_rate_on(company=company, currency=order.currency, on=order.order_date)
    receipt_lines = []
    for line in lines:
        stock_quantity = inventory.convert_quantity(line.quantity, line.uom, line.product.uom)
        cost = receipt_unit_cost(line, stock_quantity, rate)
        receipt_lines.append(inventory.TransferLineIn(product_id=line.product_id, quantity=stock_quantity, unit_cost=cost))
    receipt = inventory.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=order.warehouse_id,
        party_id=order.supplier_id,
        reference=order.number,
        scheduled_date=order.expected_date,
        lines=receipt_lines,
    )
    inventory.transfer_confirm(actor=None, company=company, transfer_id=receipt.pk)
    order.state = PurchaseOrder.State.CONFIRMED
    order.receipt = receipt
    order.confirmed_at = timezone.now()
    order.version += 1
    order.save(update_fields=["state", "receipt", "confirmed_at", "version", "updated_at"])
    audit.record(actor=actor, target=order, action="confirmed", changes={"receipt": [None, receipt.number]})
    events.publish(
        "purchasing.order_confirmed",
        company=company,
        party=order.supplier,
        actor=actor,
        order_id=order.pk,
        number=order.number,
        supplier_id=order.supplier_id,
        total=str(round_amount(order.total, order.currency)),
        currency=order.currency,
    )
    return order


@transaction.atomic
def order_decide(*, company: Company, order_id: int, approved: bool, comment: str = "") -> PurchaseOrder | None:
    """Move an order waiting for approval on: confirm it, or send it back to RFQ with the comment.

    Called by the handler of automation's decision; an order no longer waiting (cancelled in
    the meantime, decided already) is left as it is and None returned.
    """
    order = locked_order(company, order_id)
    if order.state != PurchaseOrder.State.TO_APPROVE:
        return None
    if approved:
        return _confirm(None, company, order)
    order.state = PurchaseOrder.State.DRAFT
    order.version += 1
    order.save(update_fields=["state", "version", "updated_at"])
    audit.record(actor=None, target=order, action="approval_rejected", changes={"comment": [None, comment[:500]]})
    return order


@transaction.atomic
def order_cancel(*, actor: User, company: Company, order_id: int) -> PurchaseOrder:
    """Cancel an RFQ, or a purchase order of which nothing was received (its receipt is cancelled)."""
    require(actor, "purchasing.manage", company)
    order = locked_order(company, order_id)
    if not order.can_cancel():
        raise StateError(f"{order.number} is {order.get_state_display().lower()} and cannot be cancelled.")
    if order.receipt_id is not None:
        inventory.transfer_cancel(actor=None, company=company, transfer_id=order.receipt_id)
    order.state = PurchaseOrder.State.CANCELLED
    order.version += 1
    order.save(update_fields=["state", "version", "updated_at"])
    audit.record(actor=actor, target=order, action="cancelled")
    return order


@transaction.atomic
def order_register_receipt(
    *,
    company: Company,
    reference: str,
    transfer_id: int,
    receipt_number: str,
    backorder_number: str,
    lines: Sequence[tuple[int, Decimal]],
    received_on: dt.date,
) -> PurchaseOrder | None:
    """Add what a receipt brought to the order named by ``reference`` (product, quantity in stock units).

    Quantities fill the order's lines of each product in order; a receipt already registered
    (redelivered event) changes nothing. Without a backorder the rest will not come, so the order
    counts as received. Publishes ``purchasing.order_received``. Returns None for a receipt that
    is not a purchase order's.
    """
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .filter(company=company, number=reference)
        .first()
    )
    if order is None or order.state not in PurchaseOrder.RECEIVING:
        return None
    if PurchaseReceipt.objects.filter(order=order, transfer_id=transfer_id).exists():
        return order
    order_lines = list(order.lines.select_related("product__uom", "uom").order_by("sequence", "pk"))
    on_time = received_on <= order.expected_date
    total = ZERO
    for product_id, stock_quantity in lines:
        left = stock_quantity
        candidates = [line for line in order_lines if line.product_id == product_id]
        for i, line in enumerate(candidates):
            if left <= 0:
                break
            in_line_unit = inventory.convert_quantity(left, line.product.uom, line.uom)
            take = in_line_unit if i == len(candidates) - 1 else min(in_line_unit, line.to_receive)
            if take <= 0:
                continue
            line.quantity_received += take
            if received_on <= line.expected_date:
                line.quantity_on_time += take
            line.save(update_fields=["quantity_received", "quantity_on_time"])
            left -= inventory.convert_quantity(take, line.uom, line.product.uom)
            total += take
    late_by = max((received_on - order.expected_date).days, 0)
    PurchaseReceipt.objects.create(
        company=company,
        order=order,
        transfer_id=transfer_id,
        number=receipt_number[:40],
        received_on=received_on,
        quantity=total,
        on_time=on_time,
        delay_days=late_by,
    )
    complete = not backorder_number or all(line.quantity_received >= line.quantity for line in order_lines)
    order.state = PurchaseOrder.State.RECEIVED if complete else PurchaseOrder.State.PARTIAL
    order.version += 1
    order.save(update_fields=["state", "version", "updated_at"])
    audit.record(actor=None, target=order, action="received", changes={"receipt": [None, receipt_number]})
    events.publish(
        "purchasing.order_received",
        company=company,
        party=order.supplier,
        order_id=order.pk,
        number=order.number,
        supplier_id=order.supplier_id,
        receipt=receipt_number,
        fully_received=complete,
        on_time=on_time,
    )
    return order
