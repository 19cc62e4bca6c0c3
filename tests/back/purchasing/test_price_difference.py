"""A vendor bill at another price than the receipt's: the difference goes to purchase price differences (5100)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from spona.back.finance import selectors as finance_selectors
from spona.back.inventory.reports import valuation_report
from spona.back.purchasing import handlers, services
from spona.back.purchasing.models import PurchaseBill
from spona.core.models import Event
from tests.back.purchasing.helpers import confirmed_order, receive
from tests.back.purchasing.test_bills_and_rules import reprice
from tests.factories import deliver_events


def balance(company, role: str) -> D:
    account = finance_selectors.account_for_role(company=company, role=role)
    return finance_selectors.account_balance(company=company, account_id=account.pk)


def test_a_dearer_bill_books_the_difference_to_price_differences_and_clears_goods_received(world):
    # given 100 bolts ordered at 1.80 and received: stock and goods received not invoiced hold 180.00
    order = confirmed_order(world, quantity=100)
    receive(world, order)
    deliver_events()
    assert (balance(world.company, "stock"), balance(world.company, "stock_input")) == (D("180.00"), D("-180.00"))
    # and the supplier bills them at 1.85 (185.00 before VAT)
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    reprice(world, bill.invoice, D("1.85"))
    # when finance posts the bill, confirming the difference
    services.bill_post(actor=world.accountant, company=world.company, bill_id=bill.pk, confirm_differences=True)
    # then the 5.00 the bill costs more goes to purchase price differences and 1210 is clear
    assert PurchaseBill.objects.get(pk=bill.pk).price_difference == D("5.00")
    assert balance(world.company, "price_difference") == D("5.00")
    assert balance(world.company, "stock_input") == D("0.00")
    # and the stock keeps its receipt value, so the valuation report still equals the ledger
    report = valuation_report(user=None, company=world.company, as_of=timezone.localdate())
    assert (report.total, report.ledger_balance) == (D("180.00"), D("180.00"))
    # and the handler of the posting event, delivered afterwards, books nothing more
    deliver_events()
    handlers.on_invoice_posted(Event.objects.filter(name="finance.invoice_posted").latest("pk"))
    assert balance(world.company, "price_difference") == D("5.00")


def test_a_cheaper_bill_for_part_of_the_goods_credits_price_differences(world):
    # given 100 bolts ordered at 1.80, of which 60 were received (108.00)
    order = confirmed_order(world, quantity=100)
    receive(world, order, {world.bolt.pk: D(60)})
    deliver_events()
    # and the supplier bills the 60 at 1.7550 (105.30)
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk, bill_date=dt.date.today())
    reprice(world, bill.invoice, D("1.7550"))
    # when finance posts it
    services.bill_post(actor=world.accountant, company=world.company, bill_id=bill.pk, confirm_differences=True)
    # then 2.70 is a gain on price differences and 1210 is clear
    assert balance(world.company, "price_difference") == D("-2.70")
    assert balance(world.company, "stock_input") == D("0.00")
    assert balance(world.company, "stock") == D("108.00")


def test_a_bill_at_the_order_price_books_no_difference(world):
    # given 10 bolts received and billed at the order's 2.00
    order = confirmed_order(world, quantity=10)
    receive(world, order)
    deliver_events()
    bill = services.bill_create(actor=world.buyer, company=world.company, order_id=order.pk)
    # when it is posted
    services.bill_post(actor=world.accountant, company=world.company, bill_id=bill.pk)
    # then nothing is booked to price differences
    assert PurchaseBill.objects.get(pk=bill.pk).price_difference == D("0.00")
    assert balance(world.company, "price_difference") == D("0.00")
    assert balance(world.company, "stock_input") == D("0.00")
