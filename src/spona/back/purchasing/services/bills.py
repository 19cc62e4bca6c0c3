"""Vendor bills from purchase orders, through finance, and the three-way match that guards them.

Price differences: the receipt valued the goods at the order's price and credited goods
received not invoiced (1210) with it; the bill debits 1210 with what the supplier charged.
When a bill is posted, the difference between the two for the billed quantities goes from
1210 to purchase price differences (5100), so 1210 clears. The stock keeps its value: the
difference is an expense (or a gain) of the period, whether or not the goods are still in
stock, and the valuation report keeps equal to the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

import spona.back.finance.selectors as finance_selectors
import spona.back.finance.services as finance
import spona.back.inventory.services as inventory
from spona.back.purchasing.models import PurchaseBill, PurchaseLine, PurchaseOrder
from spona.back.purchasing.services.common import ZERO, locked_order, receipt_unit_cost
from spona.core import audit, events
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.money import round_amount
from spona.core.permissions import has_perm, require
from spona.core.selectors import exchange_rate_on

PRICE_TOLERANCE = Decimal("0.0001")
# The stock journal holds the receipts' entries on 1210; their price differences sit next to them.
JOURNAL_CODE, JOURNAL_NAME = "STK", "Stock valuation"


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
    _book_price_difference(company, bill.pk)
    bill.refresh_from_db(fields=["price_difference"])
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


def price_difference(order: PurchaseOrder, bill: PurchaseBill) -> Decimal:
    """What a posted bill's goods cost beyond their receipt value, in company currency (negative: less).

    Per bill line: its subtotal at the bill's exchange rate, less the billed quantity at the
    unit cost the receipt used (the order line's price at the order date's rate). A product
    on several order lines takes the first line's cost.
    """
    company = order.company
    rate = exchange_rate_on(company=company, currency=order.currency, on=order.order_date)
    lines: dict[int, PurchaseLine] = {}
    for line in order.lines.select_related("product__uom", "uom").order_by("sequence", "pk"):
        lines.setdefault(line.product_id, line)
    total = ZERO
    currency = company.base_currency
    for row in bill.invoice.lines.all():
        line = lines.get(row.product_id)
        if line is None:
            continue
        stock_quantity = inventory.convert_quantity(line.quantity, line.uom, line.product.uom)
        cost = receipt_unit_cost(line, stock_quantity, rate)
        billed_stock = inventory.convert_quantity(row.quantity, line.uom, line.product.uom)
        billed = round_amount(row.subtotal * bill.invoice.exchange_rate, currency)
        total += billed - round_amount(billed_stock * cost, currency)
    return total


def _book_price_difference(company: Company, bill_id: int) -> None:
    """Move a posted bill's price difference from goods received not invoiced to price differences, once.

    The bill row is locked and its booked amount stored, so posting from the match page and
    the handler of ``finance.invoice_posted`` book it once between them. A ledger without
    either account books nothing (the difference stays on 1210, where finance can see it).
    """
    bill = PurchaseBill.objects.select_for_update(of=("self",)).select_related("invoice", "order").get(pk=bill_id)
    if bill.price_difference is not None or bill.invoice.state != "posted":
        return
    amount = price_difference(bill.order, bill)
    bill.price_difference = amount
    bill.save(update_fields=["price_difference", "updated_at"])
    if amount == 0:
        return
    stock_input = finance_selectors.account_for_role(company=company, role="stock_input")
    difference = finance_selectors.account_for_role(company=company, role="price_difference")
    journal_id = finance.journal_ensure(company=company, code=JOURNAL_CODE, name=JOURNAL_NAME)
    if stock_input is None or difference is None or journal_id is None:
        return
    label = f"{bill.invoice.number} {difference.name}"
    debit, credit = (difference, stock_input) if amount > 0 else (stock_input, difference)
    finance.entry_create(
        actor=None,
        company=company,
        journal_id=journal_id,
        date=bill.invoice.invoice_date,
        lines=[
            finance.LineIn(account_id=debit.pk, debit=abs(amount), label=label),
            finance.LineIn(account_id=credit.pk, credit=abs(amount), label=label),
        ],
        reference=bill.invoice.number,
        memo=f"Price difference of {bill.invoice.number} against the receipts of {bill.order.number}",
        party_id=bill.order.supplier_id,
        source=f"purchasing.bill:{bill.pk}",
        post=True,
    )
    audit.record(actor=None, target=bill.order, action="price_difference_booked", changes={"amount": [None, str(amount)]})


@transaction.atomic
def bills_refresh(*, company: Company, invoice_id: int) -> PurchaseOrder | None:
    """Bring an order up to date after finance posted or changed one of its bills (for the handler)."""
    bill = PurchaseBill.objects.filter(company=company, invoice_id=invoice_id).first()
    if bill is None:
        return None
    order = locked_order(company, bill.order_id)
    _book_price_difference(company, bill.pk)
    _refresh_billed(order)
    return order
