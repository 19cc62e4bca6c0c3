"""RFQs and purchase orders: prices from price breaks, confirmation and approval, receipts, cancellation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from spona.back.inventory.models import Transfer
from spona.back.purchasing import services
from spona.back.purchasing.models import PurchaseOrder
from spona.bridge.automation import selectors as automation_selectors
from spona.bridge.automation import services as automation
from spona.core.errors import Conflict, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Event
from tests.back.purchasing.helpers import confirmed_order, receive
from tests.factories import deliver_events, member, party


def rfq(s, *lines: services.LineIn, supplier=None) -> PurchaseOrder:
    return services.order_create(
        actor=s.buyer,
        company=s.company,
        data=services.OrderIn(supplier_id=(supplier or s.supplier).pk, warehouse_id=s.warehouse.pk, lines=list(lines)),
    )


def test_an_rfq_takes_the_price_break_of_its_quantity_and_the_lead_time(world):
    # when the buyer asks for 99 and 100 bolts without giving prices
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        order = rfq(
            world,
            services.LineIn(product_id=world.bolt.pk, quantity=D(99)),
            services.LineIn(product_id=world.bolt.pk, quantity=D(100)),
        )
    # then 99 cost 2.00 and 100 cost 1.80 each, 20 % VAT on top, expected after 5 days
    first, second = order.lines.order_by("sequence")
    assert (first.unit_price, second.unit_price) == (D("2.00"), D("1.80"))
    assert (order.untaxed, order.tax, order.total) == (D("378.00"), D("75.60"), D("453.60"))
    assert (order.number, order.state, order.expected_date) == ("PO/00001", "draft", dt.date(2026, 3, 7))


def test_an_rfq_refuses_what_it_cannot_buy(world, other_company):
    stranger = party(other_company, "Elsewhere Ltd")
    # when the supplier belongs to another company
    with pytest.raises(ValidationFailed) as refused:
        rfq(world, services.LineIn(product_id=world.bolt.pk, quantity=D(1)), supplier=stranger)
    assert "supplier_id" in refused.value.field_errors
    # when a quantity is zero, a float, or not a whole unit
    for quantity in (D(0), 1.5, D("1.5")):
        with pytest.raises(ValidationFailed) as refused:
            rfq(world, services.LineIn(product_id=world.bolt.pk, quantity=quantity))
        assert "lines[0]" in refused.value.field_errors
    assert not PurchaseOrder.objects.exists()


def test_a_stale_edit_is_refused_and_a_confirmed_order_is_not_edited(world):
    order = rfq(world, services.LineIn(product_id=world.bolt.pk, quantity=D(10)))
    data = services.OrderIn(
        supplier_id=world.supplier.pk,
        warehouse_id=world.warehouse.pk,
        lines=[services.LineIn(product_id=world.nut.pk, quantity=D(5))],
    )
    # when two buyers edit the same version, the second is refused
    services.order_update(actor=world.buyer, company=world.company, order_id=order.pk, version=1, data=data)
    with pytest.raises(Conflict):
        services.order_update(actor=world.buyer, company=world.company, order_id=order.pk, version=1, data=data)
    # and a confirmed order cannot be changed at all
    services.order_confirm(actor=world.buyer, company=world.company, order_id=order.pk)
    with pytest.raises(StateError):
        services.order_update(actor=world.buyer, company=world.company, order_id=order.pk, version=3, data=data)
    assert [line.product_id for line in order.lines.all()] == [world.nut.pk]


def test_confirming_plans_the_receipt_once_and_tells_the_suppliers_timeline(world):
    # when an order under the threshold is confirmed, then confirmed again
    order = confirmed_order(world, quantity=150)
    with pytest.raises(StateError):
        services.order_confirm(actor=world.buyer, company=world.company, order_id=order.pk)
    # then one receipt from the supplier carries the order number and its unit cost
    receipt = Transfer.objects.get(reference=order.number)
    assert (receipt.kind, receipt.state, receipt.party_id) == ("receipt", "confirmed", world.supplier.pk)
    assert [(line.quantity, line.unit_cost) for line in receipt.lines.all()] == [(D(150), D("1.8000"))]
    event = Event.objects.get(name="purchasing.order_confirmed")
    assert (event.party_id, event.payload["total"]) == (world.supplier.pk, "324.00")


def test_only_buyers_confirm(world):
    order = rfq(world, services.LineIn(product_id=world.bolt.pk, quantity=D(1)))
    with pytest.raises(PermissionDenied):
        services.order_confirm(actor=member(world.company, "sales"), company=world.company, order_id=order.pk)
    assert PurchaseOrder.objects.get(pk=order.pk).state == "draft"


def test_an_order_above_the_threshold_waits_and_a_rejection_sends_it_back(world):
    services.settings_update(actor=world.manager, company=world.company, approval_threshold=D(100))
    order = rfq(world, services.LineIn(product_id=world.bolt.pk, quantity=D(100)))
    # when the buyer confirms 216.00 EUR over a 100 EUR threshold
    waiting = services.order_confirm(actor=world.buyer, company=world.company, order_id=order.pk)
    assert (waiting.state, waiting.receipt_id) == ("to_approve", None)
    # and the manager rejects it
    request = automation_selectors.approval_for(company=world.company, record_type="purchasing.purchaseorder", record_id=order.pk)
    assert request.amount == D("216.00")
    automation.approval_decide(
        actor=world.manager, company=world.company, request_id=request.pk, approve=False, comment="Too many"
    )
    deliver_events()
    # then it is an RFQ again, with nothing planted in stock
    assert PurchaseOrder.objects.get(pk=order.pk).state == "draft"
    assert not Transfer.objects.filter(reference=order.number).exists()


def test_the_threshold_is_managements_business(world):
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=world.buyer, company=world.company, approval_threshold=D(1_000_000))


def test_a_late_partial_receipt_and_its_backorder(world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        order = confirmed_order(world, quantity=100)
    # when 60 arrive two days late and the rest a week late
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        receive(world, order, {world.bolt.pk: D(60)})
        deliver_events()
    order.refresh_from_db()
    assert (order.state, order.lines.get().quantity_received) == ("partial", D(60))
    with time_machine.travel(dt.datetime(2026, 3, 14, 9, tzinfo=dt.UTC), tick=False):
        receive(world, order)
        deliver_events()
    # then the order is received with two late receipts: 2 and 7 days
    order.refresh_from_db()
    assert order.state == "received"
    assert [(r.quantity, r.on_time, r.delay_days) for r in order.receipts.all()] == [(D(60), False, 2), (D(40), False, 7)]
    assert order.lines.get().quantity_on_time == D(0)


def test_a_receipt_delivered_twice_counts_once(world):
    order = confirmed_order(world, quantity=10)
    receive(world, order)
    event = Event.objects.get(name="inventory.received")
    # when the handler hears the same receipt twice (a redelivery)
    for _ in range(2):
        services.order_register_receipt(
            company=world.company,
            reference=order.number,
            transfer_id=event.payload["transfer_id"],
            receipt_number=event.payload["number"],
            backorder_number="",
            lines=[(world.bolt.pk, D(10))],
            received_on=dt.date.today(),
        )
    deliver_events()
    # then it counts 10, not 20 or 30
    assert order.lines.get().quantity_received == D(10)
    assert order.receipts.count() == 1


def test_cancelling_a_confirmed_order_cancels_its_receipt_but_not_after_goods_came(world):
    order = confirmed_order(world, quantity=10)
    services.order_cancel(actor=world.buyer, company=world.company, order_id=order.pk)
    assert Transfer.objects.get(reference=order.number).state == "cancelled"
    second = confirmed_order(world, quantity=10)
    receive(world, second, {world.bolt.pk: D(4)})
    deliver_events()
    with pytest.raises(StateError):
        services.order_cancel(actor=world.buyer, company=world.company, order_id=second.pk)
