"""Vendor bills with the three-way match, reorder rules, replenishment and supplier performance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from spona.back.finance import services as finance
from spona.back.finance.models import Invoice, Tax
from spona.back.purchasing import selectors, services
from spona.back.purchasing.models import PurchaseOrder
from spona.core.errors import Conflict, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Event
from tests.back.purchasing.helpers import confirmed_order, receive
from tests.factories import deliver_events


def received_order(s, quantity: int = 100, received: int | None = None) -> PurchaseOrder:
    order = confirmed_order(s, quantity=quantity)
    receive(s, order, None if received is None else {s.bolt.pk: D(received)})
    deliver_events()
    order.refresh_from_db()
    return order


def reprice(s, invoice: Invoice, unit_price: D) -> None:
    """The accountant types the price the supplier actually billed into the draft bill."""
    line = invoice.lines.get()
    finance.invoice_update(
        actor=s.accountant,
        company=s.company,
        invoice_id=invoice.pk,
        version=invoice.version,
        party_id=invoice.party_id,
        invoice_date=invoice.invoice_date,
        reference=invoice.reference,
        lines=[
            finance.InvoiceLineIn(
                description=line.description,
                account_id=line.account_id,
                unit_price=unit_price,
                quantity=line.quantity,
                tax_ids=[t.pk for t in line.taxes.all()],
                product_id=line.product_id,
            )
        ],
    )


def test_a_bill_covers_only_what_was_received_and_not_billed(world):
    # given 100 ordered, 60 received
    order = received_order(world, quantity=100, received=60)
    # when the buyer creates the bill, then tries again
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    with pytest.raises(StateError):
        services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    # then it bills 60 at 1.80 on goods received not invoiced, with the purchase VAT
    line = bill.invoice.lines.get()
    assert (line.quantity, line.unit_price, line.account.role, line.product_id) == (
        D(60),
        D("1.80"),
        "stock_input",
        world.bolt.pk,
    )
    assert [t.pk for t in line.taxes.all()] == [Tax.objects.get(company=world.company, use="purchase").pk]
    assert (bill.invoice.kind, bill.invoice.origin, bill.invoice.total) == ("in_invoice", order.number, D("129.60"))
    assert Event.objects.get(name="purchasing.bill_created").party_id == world.supplier.pk
    # and the rest is billed once it arrives
    receive(world, order)
    deliver_events()
    second = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    assert second.invoice.lines.get().quantity == D(40)
    assert PurchaseOrder.objects.get(pk=order.pk).state == "billed"


def test_nothing_is_billed_before_goods_arrive(world):
    order = confirmed_order(world, quantity=10)
    with pytest.raises(StateError):
        services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    assert not Invoice.objects.exists()


def test_a_price_difference_is_flagged_and_posting_needs_its_confirmation_by_finance(world):
    order = received_order(world, quantity=100)
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    # when the supplier billed 1.85 instead of 1.80
    reprice(world, bill.invoice, D("1.85"))
    (row,) = services.match_lines(order)
    # then the match flags the price, 5.00 EUR over 100 bolts
    assert (row.ordered, row.received, row.billed, row.billed_price) == (D(100), D(100), D(100), D("1.85"))
    assert (row.flags, row.price_variance) == (["price_variance"], D("5.0000"))
    # and the buyer may not post, finance may not without confirming, then may
    with pytest.raises(PermissionDenied):
        services.bill_post(actor=world.buyer, company=world.company, bill_id=bill.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.bill_post(actor=world.accountant, company=world.company, bill_id=bill.pk)
    assert refused.value.code == "match_differences"
    assert Invoice.objects.get(pk=bill.invoice_id).state == "draft"
    services.bill_post(actor=world.accountant, company=world.company, bill_id=bill.pk, confirm_differences=True)
    bill.refresh_from_db()
    assert (bill.invoice.state, bill.differences_confirmed_by) == ("posted", world.accountant)
    deliver_events()
    assert PurchaseOrder.objects.get(pk=order.pk).state == "done"


def test_billing_more_than_received_is_flagged(world):
    order = received_order(world, quantity=100, received=50)
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    invoice = bill.invoice
    line = invoice.lines.get()
    finance.invoice_update(
        actor=world.accountant,
        company=world.company,
        invoice_id=invoice.pk,
        version=invoice.version,
        party_id=invoice.party_id,
        invoice_date=invoice.invoice_date,
        lines=[
            finance.InvoiceLineIn(
                description=line.description,
                account_id=line.account_id,
                unit_price=D("1.80"),
                quantity=D(70),
                product_id=world.bolt.pk,
            )
        ],
    )
    (row,) = selectors.order_match(user=world.accountant, company=world.company, order_id=order.pk)
    assert (row.received, row.billed, row.flags) == (D(50), D(70), ["billed_more_than_received"])


def rule(s, product=None, minimum=50, maximum=200, multiple=10):
    return services.rule_create(
        actor=s.buyer,
        company=s.company,
        data=services.RuleIn(
            product_id=(product or s.bolt).pk,
            warehouse_id=s.warehouse.pk,
            min_quantity=D(minimum),
            max_quantity=D(maximum),
            multiple=D(multiple),
        ),
    )


def test_a_rule_keeps_its_maximum_above_its_minimum_and_is_one_per_product_and_warehouse(world):
    with pytest.raises(ValidationFailed) as refused:
        rule(world, minimum=10, maximum=5)
    assert "max_quantity" in refused.value.field_errors
    first = rule(world)
    with pytest.raises(Conflict):
        rule(world)
    with pytest.raises(Conflict):
        services.rule_update(
            actor=world.buyer,
            company=world.company,
            rule_id=first.pk,
            version=2,
            data=services.RuleIn(product_id=world.bolt.pk, warehouse_id=world.warehouse.pk, min_quantity=D(1), max_quantity=D(2)),
        )


def test_replenishment_buys_each_product_from_its_cheapest_supplier_one_rfq_each(world):
    # given no stock, bolts from Vijci only, nuts cheaper at Matice (0.45) than at Vijci (0.50)
    bolts, nuts = rule(world), rule(world, product=world.nut, minimum=10, maximum=95, multiple=20)
    proposals = {p.product_id: p for p in selectors.replenishment(user=world.buyer, company=world.company)}
    assert (proposals[world.nut.pk].supplier_id, proposals[world.nut.pk].quantity, proposals[world.nut.pk].unit_price) == (
        world.other_supplier.pk,
        D(100),
        D("0.45"),
    )
    assert proposals[world.nut.pk].arrives_on - proposals[world.nut.pk].order_by == dt.timedelta(days=2)
    # when both are ordered at once
    created = services.replenishment_order(actor=world.buyer, company=world.company, rule_ids=[bolts.pk, nuts.pk])
    # then one RFQ goes to each supplier
    orders = PurchaseOrder.objects.filter(pk__in=created)
    assert sorted((o.supplier_id, o.lines.get().quantity) for o in orders) == sorted(
        [(world.supplier.pk, D(200)), (world.other_supplier.pk, D(100))]
    )


def test_the_daily_check_speaks_once_and_again_only_after_stock_recovered(world):
    rule(world, minimum=5, maximum=10, multiple=1)
    assert services.reorder_check() == 1
    assert services.reorder_check() == 0
    # when stock recovers (an order for 10 is on its way) the rule is re-armed
    order = confirmed_order(world, quantity=10)
    assert services.reorder_check() == 0
    receive(world, order)
    deliver_events()
    assert services.reorder_check() == 0
    # and when a new delivery takes it under again, it speaks again
    from spona.back.inventory import services as inventory
    from tests.back.inventory.helpers import delivery

    out = delivery(world.company, world.warehouse, world.bolt, 8)
    inventory.transfer_validate(actor=None, company=world.company, transfer_id=out.pk)
    assert services.reorder_check() == 1
    assert Event.objects.filter(name="purchasing.below_reorder_point").count() == 2


def test_supplier_performance_over_a_period(world):
    # given two orders: one received on time, one three days late and billed 2 % dearer
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False):
        early, late = confirmed_order(world, quantity=100), confirmed_order(world, quantity=100)
        receive(world, early)
        deliver_events()
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, tzinfo=dt.UTC), tick=False):
        receive(world, late)
        deliver_events()
        bill = services.bill_create(actor=world.buyer, company=world.company, order_id=late.pk)
        reprice(world, bill.invoice, D("1.8360"))
    # when finance reads May
    (row,) = selectors.supplier_performance(
        user=world.accountant, company=world.company, date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31)
    )
    # then half the receipts were on time, 1.5 days late on average, prices 2 % over the order
    assert (row.supplier_id, row.receipts, row.on_time, row.on_time_rate, row.average_delay_days) == (
        world.supplier.pk,
        2,
        1,
        D("50.0"),
        D("1.5"),
    )
    assert (row.billed_amount, row.price_variance, row.price_variance_rate) == (D("180.00"), D("3.60"), D("2.00"))
    with pytest.raises(ValidationFailed):
        selectors.supplier_performance(
            user=world.accountant, company=world.company, date_from=dt.date(2026, 5, 2), date_to=dt.date(2026, 5, 1)
        )
