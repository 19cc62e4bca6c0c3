"""Quotations and orders: revisions, discount and credit approvals, cancellation, partial invoicing, returns, the share link."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import signing
from django.urls import reverse

from spona.back.finance.selectors import account_balance
from spona.back.inventory import selectors as stock
from spona.back.inventory.services import transfer_validate
from spona.bridge.automation.selectors import approval_for
from spona.bridge.automation.services import approval_decide
from spona.core.errors import StateError, ValidationFailed
from spona.front.sales import selectors, services
from spona.front.sales.models import Order, OrderDocument
from tests.factories import deliver_events

pytestmark = pytest.mark.django_db


def _quote(world, *lines, **kwargs):
    return services.quotation_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=lines or [services.LineIn(product_id=world.products[0].pk, quantity=D(2))],
        **kwargs,
    )


def _reserved(world, product):
    return stock.stock_level(
        user=None, company=world.company, product_id=product.pk, location_id=world.warehouse.stock_location_id
    ).reserved


def test_editing_a_sent_quotation_makes_revision_2_and_keeps_revision_1(world):
    # given a sent quotation of 2 chairs (24.00 with VAT)
    quotation = _quote(world)
    services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    old_link = services.share_token(quotation)
    # when the salesperson changes it to 3 chairs
    revised = services.quotation_update(
        actor=world.seller,
        company=world.company,
        quotation_id=quotation.pk,
        version=quotation.version + 1,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(3))],
        valid_until=quotation.valid_until,
    )
    # then it is revision 2, a draft again at 36.00, and revision 1 is kept as the customer saw it
    assert (str(revised), revised.revision, revised.status, revised.total) == (f"{quotation.number}-2", 2, "draft", D("36.00"))
    assert [(r.revision, r.content["total"], r.content["lines"][0]["quantity"]) for r in revised.revisions.all()] == [
        (1, "24.0000", "2.0000")
    ]
    # and the old link no longer opens the offer
    with pytest.raises(Exception, match="not valid"):
        services.quotation_from_token(old_link)


def test_a_discount_above_the_limit_waits_for_a_manager_then_can_be_sent(world):
    # given the company's limit of 10 %, a quotation with a 15 % discount
    quotation = _quote(world, services.LineIn(product_id=world.products[0].pk, quantity=D(1), discount=D(15)))
    # then it waits for approval and cannot be sent
    assert quotation.approval == "pending"
    with pytest.raises(StateError, match="waits for approval"):
        services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    # when the manager approves the request automation opened
    request = approval_for(company=world.company, record_type="sales.quotation", record_id=quotation.pk)
    approval_decide(actor=world.manager, company=world.company, request_id=request.pk, approve=True, comment="Good customer")
    deliver_events()
    # then it can be sent
    sent = services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    assert (sent.approval, sent.status) == ("approved", "sent")


def test_over_the_credit_limit_the_order_is_held_until_a_manager_approves(world):
    # given a customer with a credit limit of 20.00 and an order of 24.00
    services.customer_terms_set(actor=world.seller, company=world.company, party_id=world.customer.pk, credit_limit=D(20))
    order = services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(2))],
    )
    # when it is confirmed
    held = services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    # then it stays a draft waiting for approval, nothing reserved
    assert (held.status, held.approval) == ("draft", "pending")
    assert "exceeds the credit limit of 20" in held.hold_reason
    assert _reserved(world, world.products[0]) == 0
    # when the manager approves
    request = approval_for(company=world.company, record_type="sales.order", record_id=order.pk)
    approval_decide(actor=world.manager, company=world.company, request_id=request.pk, approve=True, comment="")
    deliver_events()
    # then the order is confirmed and its stock reserved
    order.refresh_from_db()
    assert (order.status, order.hold_reason) == ("confirmed", "")
    assert _reserved(world, world.products[0]) == D(2)


def test_the_block_policy_refuses_an_order_over_the_limit(world):
    services.settings_update(actor=world.manager, company=world.company, discount_limit=D(10), credit_policy="block")
    services.customer_terms_set(actor=world.seller, company=world.company, party_id=world.customer.pk, credit_limit=D(0))
    order = services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(1))],
    )
    with pytest.raises(StateError, match="blocked"):
        services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)


def test_cancelling_releases_the_reservation_and_a_delivered_order_cannot_be_cancelled(world):
    chair = world.products[0]
    lines = [services.LineIn(product_id=chair.pk, quantity=D(5))]
    order = services.order_create(actor=world.seller, company=world.company, party_id=world.customer.pk, lines=lines)
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    assert _reserved(world, chair) == D(5)
    cancelled = services.order_cancel(actor=world.seller, company=world.company, order_id=order.pk, reason="Changed mind")
    assert (cancelled.status, _reserved(world, chair)) == ("cancelled", 0)
    assert OrderDocument.objects.get(order=order, kind="delivery").transfer.state == "cancelled"
    # and a delivered one refuses
    other = services.order_create(actor=world.seller, company=world.company, party_id=world.customer.pk, lines=lines)
    services.order_confirm(actor=world.seller, company=world.company, order_id=other.pk)
    transfer_validate(
        actor=None, company=world.company, transfer_id=OrderDocument.objects.get(order=other, kind="delivery").transfer_id
    )
    deliver_events()
    with pytest.raises(StateError):
        services.order_cancel(actor=world.seller, company=world.company, order_id=other.pk)


def test_invoicing_on_delivery_follows_partial_deliveries_and_backorders(world):
    # given an order of 10 chairs invoiced on delivery
    chair = world.products[0]
    order = services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        invoice_policy="delivery",
        lines=[services.LineIn(product_id=chair.pk, quantity=D(10))],
    )
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    with pytest.raises(StateError, match="nothing to invoice"):
        services.order_invoice(actor=world.seller, company=world.company, order_id=order.pk)
    # when 4 are shipped (the rest goes to a backorder) and invoiced
    delivery = OrderDocument.objects.get(order=order, kind="delivery").transfer
    line_id = delivery.lines.get().pk
    transfer_validate(actor=None, company=world.company, transfer_id=delivery.pk, quantities={line_id: D(4)})
    deliver_events()
    first = services.order_invoice(actor=world.seller, company=world.company, order_id=order.pk).invoice
    # then the first invoice is for 4 chairs (48.00), the order still to deliver
    order = selectors.order_get(user=world.seller, company=world.company, order_id=order.pk)
    assert (first.total, selectors.order_status(order=order).label) == (D("48.00"), "to deliver")
    # when the backorder ships the other 6
    backorder = OrderDocument.objects.filter(order=order, kind="delivery").exclude(transfer=delivery)
    assert not backorder.exists()
    rest = delivery.backorders.get()
    transfer_validate(actor=None, company=world.company, transfer_id=rest.pk)
    deliver_events()
    second = services.order_invoice(actor=world.seller, company=world.company, order_id=order.pk).invoice
    order = selectors.order_get(user=world.seller, company=world.company, order_id=order.pk)
    # then the second invoice is for 6 (72.00), the order done and invoiced, both deliveries on it
    assert (second.total, order.status, selectors.order_status(order=order).label) == (D("72.00"), "done", "invoiced")
    assert len(selectors.order_status(order=order).deliveries) == 2


def test_a_return_makes_a_receipt_and_a_credit_note_for_what_was_invoiced(world):
    # given a delivered and invoiced order of 3 chairs (36.00)
    chair = world.products[0]
    order = services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=chair.pk, quantity=D(3))],
    )
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    transfer_validate(
        actor=None, company=world.company, transfer_id=OrderDocument.objects.get(order=order, kind="delivery").transfer_id
    )
    deliver_events()
    services.order_invoice(actor=world.seller, company=world.company, order_id=order.pk)
    line = order.lines.get()
    # when one chair comes back, and too many are refused
    with pytest.raises(ValidationFailed):
        services.order_return(
            actor=world.seller,
            company=world.company,
            order_id=order.pk,
            reason="Broken",
            lines=[services.ReturnLineIn(line.pk, D(4))],
        )
    rma = services.order_return(
        actor=world.seller,
        company=world.company,
        order_id=order.pk,
        reason="Broken leg",
        lines=[services.ReturnLineIn(line.pk, D(1))],
    )
    services.return_receive(actor=world.seller, company=world.company, return_id=rma.pk)
    # then a credit note of 12.00 is posted, the receivable is 24.00, and the chair is back in stock
    assert (rma.credit_note.kind, rma.credit_note.total, rma.number) == ("out_refund", D("12.00"), "RMA/00001")
    assert account_balance(company=world.company, account_id=world.accounts["1100"].pk) == D("24.00")
    level = stock.stock_level(
        user=None, company=world.company, product_id=chair.pk, location_id=world.warehouse.stock_location_id
    )
    assert level.on_hand == D(98)
    line.refresh_from_db()
    assert (line.qty_returned, line.qty_invoiced) == (D(1), D(2))


def test_the_share_link_refuses_forgeries_and_records_a_decline(world, client):
    # given a sent quotation with an optional line
    quotation = _quote(
        world,
        services.LineIn(product_id=world.products[0].pk, quantity=D(1)),
        services.LineIn(product_id=world.products[2].pk, quantity=D(1), is_optional=True),
    )
    services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    # then a forged or tampered link is a 404
    forged = signing.dumps({"q": quotation.pk, "r": 1}, salt="something else")
    assert client.get(reverse("sales_public:quotation", args=[forged])).status_code == 404
    assert client.get(reverse("sales_public:quotation", args=[services.share_token(quotation) + "x"])).status_code == 404
    # when the customer declines with a comment
    link = reverse("sales_public:quotation", args=[services.share_token(quotation)])
    assert client.post(link, {"decision": "decline", "reason": "Too expensive"}).status_code == 302
    quotation.refresh_from_db()
    assert (quotation.status, quotation.decline_reason) == ("declined", "Too expensive")
    # and accepting afterwards is refused with a message, not an error page
    page = client.post(link, {"decision": "accept"})
    assert page.status_code == 200 and b"cannot be accepted" in page.content
    assert not Order.objects.filter(quotation=quotation).exists()


def test_the_customer_page_needs_the_csrf_token(world):
    from django.test import Client

    quotation = _quote(world)
    services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    strict = Client(enforce_csrf_checks=True)
    link = reverse("sales_public:quotation", args=[services.share_token(quotation)])
    assert strict.post(link, {"decision": "accept"}).status_code == 403


def test_optional_lines_chosen_by_the_customer_are_ordered(world, client):
    quotation = _quote(
        world,
        services.LineIn(product_id=world.products[0].pk, quantity=D(1)),
        services.LineIn(product_id=world.products[2].pk, quantity=D(1), is_optional=True),
    )
    services.quotation_send(actor=world.seller, company=world.company, quotation_id=quotation.pk)
    optional = quotation.lines.get(is_optional=True)
    link = reverse("sales_public:quotation", args=[services.share_token(quotation)])
    client.post(link, {"decision": "accept", "optional": [str(optional.pk)]})
    order = Order.objects.get(quotation=quotation)
    # 10.00 + 4.99 = 14.99, VAT 3.00 → 17.99
    assert (order.lines.count(), order.untaxed, order.total, order.status) == (2, D("14.99"), D("17.99"), "confirmed")
