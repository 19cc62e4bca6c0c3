"""Sales orders: confirm (credit check, delivery and reservation), deliveries heard back, invoice,
cancel, return (RMA)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.back.finance.selectors.sales import SalesTaxes, customer_exposure, sales_taxes
from spona.back.finance.services import InvoiceLineIn, invoice_create, invoice_post
from spona.back.inventory.selectors import warehouse_default_id
from spona.back.inventory.services import (
    InsufficientStock,
    TransferLineIn,
    transfer_cancel,
    transfer_confirm,
    transfer_create,
    transfer_validate,
)
from spona.core import audit, events
from spona.core.db import service_atomic, unique_row
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require
from spona.core.services import sequence_next
from spona.front.sales.models import (
    Approval,
    CustomerTerms,
    Order,
    OrderDocument,
    OrderLine,
    Quotation,
    QuotationLine,
    Return,
    ReturnLine,
    SalesSettings,
)
from spona.front.sales.services.approvals import ask_credit_approval, ask_discount_approval_order
from spona.front.sales.services.lines import LineIn, PricedLine, price_lines, totals
from spona.front.sales.services.pricing import customer_terms, settings_for

ZERO = Decimal(0)


def _payload(order: Order) -> dict[str, object]:
    return {"order_id": order.pk, "number": order.number, "total": str(order.total), "currency": order.currency}


def _new_order(
    company: Company,
    party_id: int,
    priced: Sequence[PricedLine],
    actor: User | None,
    taxes: SalesTaxes | None = None,
    **header: object,
) -> Order:
    result = totals(company=company, currency=company.base_currency, lines=priced, counted=[True] * len(priced), taxes=taxes)
    order = Order(
        company=company,
        party_id=party_id,
        currency=company.base_currency,
        order_date=timezone.localdate(),
        untaxed=result.untaxed,
        tax=result.tax,
        total=result.total,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **header,
    )
    order.number = sequence_next(company=company, code="sales.order", prefix="SO/")
    order.save()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                sequence=(i + 1) * 10,
                product_id=x.product_id,
                description=x.description,
                quantity=x.quantity,
                unit_price=x.unit_price,
                discount=x.discount,
                tax_ids=x.tax_ids,
                subtotal=x.subtotal,
                # Services are not moved through stock: they count as delivered from the start.
                qty_delivered=ZERO if x.is_stocked else x.quantity,
            )
            for i, x in enumerate(priced)
        ]
    )
    audit.record(actor=actor, target=order, action="created", changes={"total": [None, str(order.total)]})
    return order


@service_atomic
def order_create(
    *,
    actor: User | None,
    company: Company,
    party_id: int,
    lines: Sequence[LineIn],
    invoice_policy: str = Order.InvoicePolicy.ORDER,
    payment_term_id: int | None = None,
) -> Order:
    """Draft a sales order directly (without a quotation), priced from the customer's price lists.

    Raises ValidationFailed naming every invalid field and line.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    from spona.back.finance.selectors.sales import payment_term_ids

    errors: dict[str, list[str]] = {}
    if not Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).exists():
        errors["party_id"] = ["Choose a customer of this company."]
    if invoice_policy not in Order.InvoicePolicy.values:
        errors["invoice_policy"] = ["Invoice on order or on delivery."]
    if payment_term_id is not None and not payment_term_ids(company=company, ids=[payment_term_id]):
        errors["payment_term_id"] = ["Choose a payment term of this company."]
    if errors:
        raise ValidationFailed("The order is not valid.", field_errors=errors)
    settings = settings_for(company=company)
    # Read once: the taxes check and total the lines, the terms give their price list and payment term.
    taxes, terms = sales_taxes(company=company), customer_terms(company=company, party_id=party_id)
    priced = price_lines(
        company=company,
        settings=settings,
        party_id=party_id,
        currency=company.base_currency,
        on=timezone.localdate(),
        lines=lines,
        taxes=taxes,
        terms=terms,
    )
    if payment_term_id is None and terms is not None:
        payment_term_id = terms.payment_term_id
    order = _new_order(company, party_id, priced, actor, taxes, invoice_policy=invoice_policy, payment_term_id=payment_term_id)
    if any(x.discount > settings.discount_limit for x in priced):
        order.approval = Approval.PENDING
        order.hold_reason = f"A discount is above the limit of {settings.discount_limit.normalize():f} %."
        order.save(update_fields=["approval", "hold_reason"])
        ask_discount_approval_order(requester=actor, order=order)
    return order


def order_from_quotation(*, quotation: Quotation, lines: Sequence[QuotationLine], actor: User | None) -> Order:
    """Make the draft order of an accepted quotation's chosen lines, at the quoted prices."""
    from spona.back.inventory.selectors import products_for_sale

    products = products_for_sale(company=quotation.company, ids=[x.product_id for x in lines])
    missing = [x.description for x in lines if x.product_id not in products]
    if missing:
        raise StateError(f"No longer sold: {', '.join(missing)}. Ask us for a revised offer.")
    priced = [
        PricedLine(
            product_id=x.product_id,
            description=x.description,
            quantity=x.quantity,
            unit_price=x.unit_price,
            discount=x.discount,
            tax_ids=list(x.tax_ids),
            is_optional=False,
            is_stocked=products[x.product_id].is_stocked(),
        )
        for x in lines
    ]
    return _new_order(
        quotation.company, quotation.party_id, priced, actor, quotation=quotation, payment_term_id=quotation.payment_term_id
    )


def _credit_problem(order: Order) -> str:
    """Why the order would take the customer over its credit limit ('' when it does not)."""
    limit = (
        CustomerTerms.objects.filter(company=order.company, party_id=order.party_id)
        .values_list("credit_limit", flat=True)
        .first()
    )
    if limit is None:
        return ""
    exposure = customer_exposure(company=order.company, party_id=order.party_id, on=timezone.localdate())
    if exposure.overdue > 0:
        return f"{exposure.overdue} {order.company.base_currency} overdue"
    if exposure.receivable + order.total > limit:
        return f"open {exposure.receivable} + this order {order.total} exceeds the credit limit of {limit}"
    return ""


def _deliver(order: Order, settings: SalesSettings) -> None:
    """Create and confirm the delivery of the order's stocked lines (which reserves their stock)."""
    wanted = [x for x in order.lines.all() if x.qty_delivered < x.quantity]
    if not wanted:
        return
    warehouse_id = settings.warehouse_id or warehouse_default_id(company=order.company)
    if warehouse_id is None:
        raise ValidationFailed("Set up a warehouse to deliver from first.")
    transfer = transfer_create(
        actor=None,
        company=order.company,
        kind="delivery",
        warehouse_id=warehouse_id,
        party_id=order.party_id,
        reference=order.number,
        lines=[TransferLineIn(product_id=x.product_id, quantity=x.quantity - x.qty_delivered) for x in wanted],
        confirm=True,
    )
    OrderDocument.objects.create(order=order, kind=OrderDocument.Kind.DELIVERY, transfer=transfer)


def _confirm(order: Order, actor: User | None) -> Order:
    _deliver(order, settings_for(company=order.company))
    order.status = Order.Status.CONFIRMED
    order.confirmed_at = timezone.now()
    order.hold_reason = ""
    order.version += 1
    order.save(update_fields=["status", "confirmed_at", "hold_reason", "version", "approval", "updated_at"])
    audit.record(actor=actor, target=order, action="confirmed")
    events.publish("sales.order_confirmed", company=order.company, party=order.party, actor=actor, **_payload(order))
    return order


def _hold(order: Order, actor: User | None, requester: User | None, reason: str) -> Order:
    policy = settings_for(company=order.company).credit_policy
    order.hold_reason = f"Credit limit: {reason}."[:300]
    if policy == "approval":
        order.approval = Approval.PENDING
    order.version += 1
    order.save(update_fields=["hold_reason", "approval", "version", "updated_at"])
    audit.record(actor=actor, target=order, action="held", changes={"hold_reason": [None, order.hold_reason]})
    events.publish(
        "sales.order_held", company=order.company, party=order.party, actor=actor, reason=order.hold_reason, **_payload(order)
    )
    if policy == "approval":
        ask_credit_approval(requester=requester, order=order, reason=reason)
    return order


def _locked(company: Company, order_id: int) -> Order:
    order = unique_row(
        Order.objects.select_for_update(of=("self",)).select_related("party", "company").filter(pk=order_id, company=company)
    )
    if order is None:
        raise NotFound("No such order.")
    return order


@service_atomic
def order_confirm(*, actor: User | None, company: Company, order_id: int) -> Order:
    """Confirm a draft order: check the customer's credit, create and confirm its delivery (stock
    is reserved), publish ``sales.order_confirmed``.

    Concurrent confirmations confirm once: the row lock serialises them and the others find it
    confirmed (StateError, QUALITY C4). Above the credit limit the order is held: with the
    company's policy "approval" a manager is asked (``sales.credit_limit``) and the order stays a
    draft until approved; with "block" StateError says why. InsufficientStock when the stock
    cannot be reserved (nothing is reserved then).
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    order = _locked(company, order_id)
    if not order.can_confirm():
        raise StateError(f"Order {order} cannot be confirmed: {order.hold_reason or order.get_status_display().lower()}.")
    problem = "" if order.approval == Approval.APPROVED else _credit_problem(order)
    if problem:
        if settings_for(company=company).credit_policy == SalesSettings.CreditPolicy.BLOCK:
            raise StateError(f"Order {order} is blocked: {problem}.")
        return _hold(order, actor, actor, problem)
    return _confirm(order, actor)


def order_confirm_checked(*, actor: User | None, order: Order, requester: User | None) -> Order:
    """Confirm an order made from an accepted quotation; a credit or stock problem holds it instead of failing
    (the customer has accepted; the sales team sorts it out)."""
    problem = _credit_problem(order)
    if problem:
        return _hold(order, actor, requester, problem)
    try:
        with transaction.atomic():
            return _confirm(order, actor)
    except InsufficientStock as exc:
        order.hold_reason = f"Stock: {exc.message}"[:300]
        order.save(update_fields=["hold_reason", "updated_at"])
        return order


def approval_decided(*, order: Order, approved: bool, confirm: bool) -> None:
    """Apply a manager's decision on a held order: a discount decision releases (or rejects) it; an
    approved credit limit also confirms it."""
    order.approval = Approval.APPROVED if approved else Approval.REJECTED
    if approved and confirm:
        _confirm(order, None)
        return
    if approved:
        order.hold_reason = ""
    order.save(update_fields=["approval", "hold_reason", "updated_at"])
    audit.record(actor=None, target=order, action="approved" if approved else "rejected")


@transaction.atomic
def order_cancel(*, actor: User, company: Company, order_id: int, reason: str = "") -> Order:
    """Cancel an order: its open deliveries are cancelled (reservations released).

    Raises StateError once anything was delivered or invoiced (return it instead), or when it
    is already cancelled.
    """
    require(actor, "sales.manage", company)
    order = _locked(company, order_id)
    if order.status == Order.Status.CANCELLED:
        raise StateError(f"Order {order} is already cancelled.")
    lines = list(order.lines.all())
    if any(x.qty_invoiced > 0 for x in lines) or OrderDocument.objects.filter(order=order, kind="invoice").exists():
        raise StateError(f"Order {order} is invoiced; create a return and credit note instead.")
    deliveries = [d.transfer for d in order.documents.filter(kind=OrderDocument.Kind.DELIVERY).select_related("transfer")]
    if any(t is not None and t.state == "done" for t in deliveries) or any(
        x.qty_delivered > 0 and x.qty_delivered < x.quantity for x in lines
    ):
        raise StateError(f"Order {order} is partly delivered; create a return instead.")
    for transfer in deliveries:
        if transfer is not None and transfer.state in ("draft", "confirmed"):
            transfer_cancel(actor=None, company=company, transfer_id=transfer.pk)
    order.status = Order.Status.CANCELLED
    order.version += 1
    order.save(update_fields=["status", "version", "updated_at"])
    audit.record(actor=actor, target=order, action="cancelled", changes={"reason": [None, reason.strip()[:200]]})
    events.publish(
        "sales.order_cancelled", company=company, party=order.party, actor=actor, reason=reason.strip()[:200], **_payload(order)
    )
    return order


def delivered_apply(*, company: Company, reference: str, transfer_id: int, quantities: dict[int, Decimal]) -> Order | None:
    """Count a done delivery against its order's lines, first lines first (the ``inventory.delivered`` handler).

    A backorder's delivery is linked to the order too. Returns the order, or None when the
    reference names no order of the company.
    """
    order = unique_row(Order.objects.select_for_update().filter(company=company, number=reference))
    if order is None:
        return None
    if not order.documents.filter(transfer_id=transfer_id).exists():
        OrderDocument.objects.create(order=order, kind=OrderDocument.Kind.DELIVERY, transfer_id=transfer_id)
    lines = list(order.lines.all())
    for line in lines:
        left = quantities.get(line.product_id, ZERO)
        take = min(left, line.quantity - line.qty_delivered)
        if take > 0:
            line.qty_delivered += take
            quantities[line.product_id] = left - take
    OrderLine.objects.bulk_update(lines, ["qty_delivered"])
    _maybe_done(order, lines)
    return order


def _maybe_done(order: Order, lines: Sequence[OrderLine]) -> None:
    if order.status == Order.Status.CONFIRMED and all(
        x.qty_delivered >= x.quantity and x.qty_invoiced >= x.quantity for x in lines
    ):
        order.status = Order.Status.DONE
        order.save(update_fields=["status", "updated_at"])


def invoiceable(order: Order, line: OrderLine) -> Decimal:
    """How much of a line may be invoiced now under the order's invoicing policy."""
    basis = line.quantity if order.invoice_policy == Order.InvoicePolicy.ORDER else line.qty_delivered
    return max(basis - line.qty_invoiced, ZERO)


@service_atomic
def order_invoice(*, actor: User | None, company: Company, order_id: int) -> OrderDocument:
    """Invoice what the order's policy allows now (everything ordered, or what was delivered) and post the invoice.

    Partial invoices follow deliveries under the "on delivery" policy. Raises StateError when
    the order is not confirmed or there is nothing to invoice.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    order = _locked(company, order_id)
    if not order.is_confirmed():
        raise StateError(f"Order {order} is {order.get_status_display().lower()}; confirm it first.")
    lines = list(order.lines.all())
    todo = [(x, invoiceable(order, x)) for x in lines]
    todo = [(x, q) for x, q in todo if q > 0]
    if not todo:
        raise StateError(f"Order {order} has nothing to invoice yet.")
    settings = settings_for(company=company)
    if settings.income_account_id is None:
        raise ValidationFailed("Set up the ledger first: sales has no income account.")
    invoice = invoice_create(
        actor=None,
        company=company,
        kind="out_invoice",
        party_id=order.party_id,
        invoice_date=timezone.localdate(),
        currency=order.currency,
        payment_term_id=order.payment_term_id,
        reference=order.number,
        origin=f"sales.order:{order.pk}",
        lines=[
            InvoiceLineIn(
                description=x.description,
                account_id=settings.income_account_id,
                unit_price=x.unit_price,
                quantity=q,
                discount=x.discount,
                tax_ids=x.tax_ids,
                product_id=x.product_id,
            )
            for x, q in todo
        ],
    )
    invoice = invoice_post(actor=None, company=company, invoice_id=invoice.pk)
    for x, q in todo:
        x.qty_invoiced += q
    OrderLine.objects.bulk_update([x for x, _q in todo], ["qty_invoiced"])
    document = OrderDocument.objects.create(order=order, kind=OrderDocument.Kind.INVOICE, invoice=invoice)
    _maybe_done(order, lines)
    audit.record(actor=actor, target=order, action="invoiced", changes={"invoice": [None, invoice.number]})
    events.publish(
        "sales.order_invoiced", company=company, party=order.party, actor=actor, invoice_number=invoice.number, **_payload(order)
    )
    return document


@dataclass(frozen=True)
class ReturnLineIn:
    order_line_id: int
    quantity: Decimal


@transaction.atomic
def order_return(*, actor: User | None, company: Company, order_id: int, lines: Sequence[ReturnLineIn], reason: str) -> Return:
    """Take goods back (RMA): a receipt into the warehouse and, for what was invoiced, a posted credit note.

    Raises ValidationFailed for a quantity above what was delivered and not yet returned.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    order = _locked(company, order_id)
    if not reason.strip():
        raise ValidationFailed("Say why the goods come back.", field_errors={"reason": ["Required."]})
    by_id = {x.pk: x for x in order.lines.all()}
    errors: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        ordered = by_id.get(line.order_line_id)
        quantity = to_decimal(line.quantity)
        if ordered is None:
            errors[f"lines[{i}]"] = ["Choose a line of this order."]
        elif not ZERO < quantity <= ordered.qty_delivered - ordered.qty_returned:
            errors[f"lines[{i}]"] = [f"At most {ordered.qty_delivered - ordered.qty_returned} can come back."]
    if not lines:
        errors["lines"] = ["Say what comes back."]
    if errors:
        raise ValidationFailed("The return is not valid.", field_errors=errors)
    settings = settings_for(company=company)
    rma = Return(
        company=company, order=order, reason=reason.strip()[:300], created_by=actor if actor and actor.is_authenticated else None
    )
    rma.number = sequence_next(company=company, code="sales.return", prefix="RMA/")
    stocked = [x for x in lines if by_id[x.order_line_id].qty_delivered > 0]
    warehouse_id = settings.warehouse_id or warehouse_default_id(company=company)
    if warehouse_id is not None and stocked:
        receipt = transfer_create(
            actor=None,
            company=company,
            kind="receipt",
            warehouse_id=warehouse_id,
            party_id=order.party_id,
            reference=rma.number,
            lines=[
                TransferLineIn(product_id=by_id[x.order_line_id].product_id, quantity=to_decimal(x.quantity)) for x in stocked
            ],
        )
        transfer_confirm(actor=None, company=company, transfer_id=receipt.pk)
        rma.transfer = receipt
        OrderDocument.objects.create(order=order, kind=OrderDocument.Kind.RETURN, transfer=receipt)
    credit_lines = []
    for x in lines:
        ordered = by_id[x.order_line_id]
        credit = min(to_decimal(x.quantity), ordered.qty_invoiced)
        if credit > 0 and settings.income_account_id is not None:
            credit_lines.append(
                InvoiceLineIn(
                    description=f"Return: {ordered.description}"[:300],
                    account_id=settings.income_account_id,
                    unit_price=ordered.unit_price,
                    quantity=credit,
                    discount=ordered.discount,
                    tax_ids=ordered.tax_ids,
                    product_id=ordered.product_id,
                )
            )
            ordered.qty_invoiced -= credit
        ordered.qty_returned += to_decimal(x.quantity)
    if credit_lines:
        note = invoice_create(
            actor=None,
            company=company,
            kind="out_refund",
            party_id=order.party_id,
            invoice_date=timezone.localdate(),
            currency=order.currency,
            reference=rma.number,
            notes=rma.reason,
            origin=f"sales.order:{order.pk}",
            lines=credit_lines,
        )
        rma.credit_note = invoice_post(actor=None, company=company, invoice_id=note.pk)
        OrderDocument.objects.create(order=order, kind=OrderDocument.Kind.CREDIT_NOTE, invoice=rma.credit_note)
    rma.save()
    ReturnLine.objects.bulk_create(
        [ReturnLine(rma=rma, order_line_id=x.order_line_id, quantity=to_decimal(x.quantity)) for x in lines]
    )
    OrderLine.objects.bulk_update(list(by_id.values()), ["qty_invoiced", "qty_returned"])
    audit.record(actor=actor, target=rma, action="created")
    events.publish(
        "sales.return_created",
        company=company,
        party=order.party,
        actor=actor,
        return_id=rma.pk,
        return_number=rma.number,
        credit_note=rma.credit_note.number if rma.credit_note else "",
        **_payload(order),
    )
    return rma


@transaction.atomic
def return_receive(*, actor: User | None, company: Company, return_id: int) -> Return:
    """Receive a return's goods into stock now (the warehouse clerk's validation of its receipt)."""
    if actor is not None:
        require(actor, "sales.manage", company)
    rma = Return.objects.filter(pk=return_id, company=company).first()
    if rma is None or rma.transfer_id is None:
        raise NotFound("No such return receipt.")
    transfer_validate(actor=None, company=company, transfer_id=rma.transfer_id)
    return rma
