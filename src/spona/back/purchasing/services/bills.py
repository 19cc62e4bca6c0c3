"""Vendor bills from purchase orders, through finance, and the three-way match that guards them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

import spona.back.finance.selectors as finance_selectors
import spona.back.finance.services as finance
from spona.back.purchasing.models import PurchaseBill, PurchaseLine, PurchaseOrder
from spona.back.purchasing.services.common import ZERO, locked_order
from spona.core import audit, events
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import has_perm, require

PRICE_TOLERANCE = Decimal("0.0001")


@dataclass(frozen=True)
class MatchLine:
    """One order line against what was received and what the supplier billed for it."""

    line_id: int
    product_id: int
    description: str
    unit: str
    ordered: Decimal
    received: Decimal
    billed: Decimal
    order_price: Decimal
    billed_price: Decimal | None

    @property
    def price_variance(self) -> Decimal:
        """(billed − ordered price) × billed quantity, in the order's currency."""
        if self.billed_price is None:
            return ZERO
        return (self.billed_price - self.order_price) * self.billed

    @property
    def flags(self) -> list[str]:
        found = []
        if self.billed_price is not None and abs(self.billed_price - self.order_price) > PRICE_TOLERANCE:
            found.append("price_variance")
        if self.billed > self.received:
            found.append("billed_more_than_received")
        if self.received > self.ordered:
            found.append("received_more_than_ordered")
        return found


def _bill_lines(order: PurchaseOrder) -> dict[int, list[tuple[Decimal, Decimal]]]:
    """Quantities and unit prices billed per product on the order's live (draft or posted) vendor bills."""
    by_product: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    bills = PurchaseBill.objects.filter(order=order).exclude(invoice__state="cancelled").select_related("invoice")
    for bill in bills:
        for row in bill.invoice.lines.all():
            if row.product_id is not None:
                by_product[row.product_id].append((row.quantity, row.unit_price))
    return by_product


def match_lines(order: PurchaseOrder) -> list[MatchLine]:
    """The three-way match of an order: ordered, received and billed quantities and prices per line.

    Billed quantities of a product fill the order's lines of that product in order; the billed
    price is the quantity-weighted average over its bill lines.
    """
    billed = _bill_lines(order)
    rows = []
    lines = list(order.lines.select_related("uom").order_by("sequence", "pk"))
    remaining = {pid: sum((q for q, _p in items), ZERO) for pid, items in billed.items()}
    for i, line in enumerate(lines):
        items = billed.get(line.product_id, [])
        last_of_product = all(other.product_id != line.product_id for other in lines[i + 1 :])
        left = remaining.get(line.product_id, ZERO)
        quantity = left if last_of_product else min(left, line.quantity)
        remaining[line.product_id] = left - quantity
        total_quantity = sum((q for q, _p in items), ZERO)
        price = sum((q * p for q, p in items), ZERO) / total_quantity if total_quantity else None
        rows.append(
            MatchLine(
                line_id=line.pk,
                product_id=line.product_id,
                description=line.description,
                unit=line.uom.name,
                ordered=line.quantity,
                received=line.quantity_received,
                billed=quantity,
                order_price=line.unit_price,
                billed_price=price.quantize(Decimal("0.000001")) if price is not None else None,
            )
        )
    return rows


def _refresh_billed(order: PurchaseOrder) -> None:
    """Store the billed quantities of the match on the lines and move the order to billed or done."""
    match = {m.line_id: m for m in match_lines(order)}
    lines = list(order.lines.all())
    for line in lines:
        line.quantity_billed = match[line.pk].billed
    PurchaseLine.objects.bulk_update(lines, ["quantity_billed"])
    fully = order.state in (PurchaseOrder.State.RECEIVED, PurchaseOrder.State.BILLED, PurchaseOrder.State.DONE) and all(
        line.quantity_billed >= line.quantity_received for line in lines
    )
    if not fully:
        return
    states = set(
        PurchaseBill.objects.filter(order=order).exclude(invoice__state="cancelled").values_list("invoice__state", flat=True)
    )
    target = PurchaseOrder.State.DONE if states == {"posted"} else PurchaseOrder.State.BILLED
    if order.state != target:
        order.state = target
        order.version += 1
        order.save(update_fields=["state", "version", "updated_at"])
        audit.record(actor=None, target=order, action=target)


@transaction.atomic
def bill_create(
    *, actor: User | None, company: Company, order_id: int, bill_date: dt.date | None = None, reference: str = ""
) -> PurchaseBill:
    """Draft the vendor bill of what was received and not yet billed, through finance.

    Goods lines go to the stock-input account (goods received not invoiced), which the receipt
    credited, so posting the bill clears it. Needs purchasing.manage or finance.post. Raises
    StateError when nothing is left to bill, ValidationFailed when the ledger lacks the account.
    """
    if actor is not None and not (has_perm(actor, "purchasing.manage", company) or has_perm(actor, "finance.post", company)):
        raise PermissionDenied("You may not bill purchase orders.")
    order = locked_order(company, order_id)
    if not order.can_bill():
        raise StateError(f"{order.number} is {order.get_state_display().lower()}; bill it once goods were received.")
    _refresh_billed(order)
    stock_input = finance_selectors.account_for_role(company=company, role="stock_input")
    if stock_input is None:
        raise ValidationFailed("Set up the ledger first: an account for goods received not invoiced (stock input) is needed.")
    lines = [line for line in order.lines.prefetch_related("taxes").order_by("sequence", "pk") if line.to_bill > 0]
    if not lines:
        raise StateError(f"Everything received on {order.number} is billed already.")
    invoice = finance.invoice_create(
        actor=None,
        company=company,
        kind="in_invoice",
        party_id=order.supplier_id,
        invoice_date=bill_date or timezone.localdate(),
        currency=order.currency,
        reference=reference or order.supplier_reference,
        origin=order.number,
        lines=[
            finance.InvoiceLineIn(
                description=f"{order.number}: {line.description}",
                account_id=stock_input.pk,
                unit_price=line.unit_price,
                quantity=line.to_bill,
                tax_ids=[t.pk for t in line.taxes.all()],
                product_id=line.product_id,
            )
            for line in lines
        ],
    )
    bill = PurchaseBill.objects.create(company=company, order=order, invoice=invoice)
    _refresh_billed(order)
    audit.record(actor=actor, target=order, action="bill_created", changes={"invoice": [None, invoice.pk]})
    events.publish(
        "purchasing.bill_created",
        company=company,
        party=order.supplier,
        actor=actor,
        order_id=order.pk,
        number=order.number,
        supplier_id=order.supplier_id,
        invoice_id=invoice.pk,
        total=str(invoice.total),
        currency=invoice.currency,
    )
    return bill


@transaction.atomic
def bill_post(*, actor: User, company: Company, bill_id: int, confirm_differences: bool = False) -> PurchaseBill:
    """Post a vendor bill made from an order; a bill whose match shows differences needs their confirmation.

    Only finance posts bills (finance.post). When the order's three-way match flags a line
    (price variance, billed more than received), ``confirm_differences`` must be set; the
    confirming user is recorded. Raises ValidationFailed (code ``match_differences``) otherwise.
    """
    require(actor, "finance.post", company)
    bill = PurchaseBill.objects.select_related("invoice").filter(pk=bill_id, company=company).first()
    if bill is None:
        raise NotFound("No such vendor bill.")
    order = locked_order(company, bill.order_id)
    flagged = [m for m in match_lines(order) if m.flags]
    if flagged and not confirm_differences:
        raise ValidationFailed(
            f"The three-way match of {order.number} shows differences on {len(flagged)} line(s); confirm them to post the bill.",
            code="match_differences",
            field_errors={"confirm_differences": ["Check the match and confirm the differences."]},
        )
    finance.invoice_post(actor=actor, company=company, invoice_id=bill.invoice_id)
    if flagged:
        bill.differences_confirmed_by = actor
        bill.save(update_fields=["differences_confirmed_by", "updated_at"])
        audit.record(
            actor=actor,
            target=order,
            action="differences_confirmed",
            changes={"flags": [None, sorted({f for m in flagged for f in m.flags})]},
        )
    _refresh_billed(order)
    return bill


@transaction.atomic
def bills_refresh(*, company: Company, invoice_id: int) -> PurchaseOrder | None:
    """Bring an order up to date after finance posted or changed one of its bills (for the handler)."""
    bill = PurchaseBill.objects.filter(company=company, invoice_id=invoice_id).first()
    if bill is None:
        return None
    order = locked_order(company, bill.order_id)
    _refresh_billed(order)
    return order
