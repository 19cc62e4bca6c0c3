"""Scenario: procure to pay, from a reorder point to a paid vendor bill, with exact figures (issue 4).

Acme d.o.o. keeps bolts in its main warehouse between 50 and 200. Twenty are left, so the daily
check raises the alarm once, replenishment proposes 180 from Vijci d.o.o. (the 100+ price break,
1.80 EUR), the buyer turns it into an RFQ and confirms it; above the 300 EUR approval threshold,
the manager approves. Vijci delivers 100 first and the 80 of the backorder later; the vendor bill
matches the order three ways; finance posts and pays it. Stock, goods received not invoiced,
payables and input VAT end exactly where they should.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from spona.back.finance import selectors as finance_selectors
from spona.back.finance import services as finance
from spona.back.finance.models import Account, Journal
from spona.back.inventory import selectors as inventory_selectors
from spona.back.inventory.models import Transfer
from spona.back.purchasing import selectors, services
from spona.back.purchasing.models import PurchaseOrder
from spona.bridge.automation import selectors as automation_selectors
from spona.bridge.automation import services as automation
from spona.core.models import Event
from tests.back.purchasing.helpers import receive, setting
from tests.factories import deliver_events


def balance(company, role: str) -> D:
    account = finance_selectors.account_for_role(company=company, role=role)
    return finance_selectors.account_balance(company=company, account_id=account.pk)


def test_from_the_reorder_point_to_the_paid_bill(company):
    s = setting(company)
    acme = s.company

    def on_hand() -> D:
        return inventory_selectors.stock_level(
            user=None, company=acme, product_id=s.bolt.pk, location_id=s.warehouse.view_location_id
        ).on_hand

    # 1. Twenty bolts in stock (received before purchasing ran), a rule keeps them between 50 and 200 in tens.
    opening = finance_opening(s)
    assert opening.state == Transfer.State.DONE and on_hand() == D(20)
    rule = services.rule_create(
        actor=s.buyer,
        company=acme,
        data=services.RuleIn(
            product_id=s.bolt.pk, warehouse_id=s.warehouse.pk, min_quantity=D(50), max_quantity=D(200), multiple=D(10)
        ),
    )

    # 2. The daily check speaks once, on the supplier's timeline, and not again while nothing changed.
    assert services.reorder_check() == 1
    assert services.reorder_check() == 0
    alarm = Event.objects.get(name="purchasing.below_reorder_point", company=acme)
    assert (alarm.party_id, alarm.payload["forecast"], alarm.payload["min_quantity"]) == (s.supplier.pk, "20", "50")

    # 3. Replenishment proposes 180 (200 − 20, a multiple of 10) at the 100+ break, arriving in 5 days.
    (proposal,) = selectors.replenishment(user=s.buyer, company=acme)
    assert (proposal.forecast, proposal.quantity, proposal.supplier_id, proposal.unit_price) == (
        D(20),
        D(180),
        s.supplier.pk,
        D("1.80"),
    )
    assert proposal.arrives_on - proposal.order_by == dt.timedelta(days=5)

    # 4. One click drafts the RFQ: 180 × 1.80 = 324.00 + 20 % VAT 64.80 = 388.80 EUR; it now counts as incoming.
    (order_id,) = services.replenishment_order(actor=s.buyer, company=acme, rule_ids=[rule.pk])
    rfq = PurchaseOrder.objects.get(pk=order_id)
    assert (rfq.state, rfq.supplier_id, rfq.untaxed, rfq.tax, rfq.total) == (
        "draft",
        s.supplier.pk,
        D("324.00"),
        D("64.80"),
        D("388.80"),
    )
    assert selectors.replenishment(user=s.buyer, company=acme) == []

    # 5. Above the 300 EUR threshold, confirming asks for approval; the manager approves and the receipt is planned.
    services.settings_update(actor=s.manager, company=acme, approval_threshold=D(300))
    services.order_send(actor=s.buyer, company=acme, order_id=rfq.pk)
    waiting = services.order_confirm(actor=s.buyer, company=acme, order_id=rfq.pk)
    assert waiting.state == "to_approve" and waiting.receipt_id is None
    request = automation_selectors.approval_for(company=acme, record_type="purchasing.purchaseorder", record_id=rfq.pk)
    automation.approval_decide(actor=s.manager, company=acme, request_id=request.pk, approve=True, comment="Go ahead")
    deliver_events()
    po = PurchaseOrder.objects.get(pk=rfq.pk)
    assert po.state == "confirmed"
    receipt = Transfer.objects.get(pk=po.receipt_id)
    assert (receipt.reference, receipt.party_id, receipt.state) == (po.number, s.supplier.pk, "confirmed")
    assert receipt.lines.get().unit_cost == D("1.8000")

    # 6. 100 arrive; the rest waits on a backorder; the order is partially received.
    receive(s, po, {s.bolt.pk: D(100)})
    deliver_events()
    po.refresh_from_db()
    line = po.lines.get()
    assert (po.state, line.quantity_received) == ("partial", D(100))
    assert Transfer.objects.filter(backorder_of=receipt, state="confirmed").exists()

    # 7. The backorder's 80 arrive: the order is received, 200 bolts on hand.
    receive(s, po)
    deliver_events()
    po.refresh_from_db()
    line.refresh_from_db()
    assert (po.state, line.quantity_received, on_hand()) == ("received", D(180), D(200))
    assert po.receipts.count() == 2
    assert Event.objects.filter(name="purchasing.order_received", party=s.supplier).count() == 2

    # 8. The vendor bill covers the 180 received at 1.80 on goods received not invoiced; the match is clean.
    bill = services.bill_create(actor=s.buyer, company=acme, order_id=po.pk, reference="VIJ-2026-118")
    invoice = bill.invoice
    assert (invoice.kind, invoice.state, invoice.untaxed, invoice.tax, invoice.total) == (
        "in_invoice",
        "draft",
        D("324.00"),
        D("64.80"),
        D("388.80"),
    )
    (match,) = selectors.order_match(user=s.accountant, company=acme, order_id=po.pk)
    assert (match.ordered, match.received, match.billed, match.flags) == (D(180), D(180), D(180), [])
    po.refresh_from_db()
    assert po.state == "billed"

    # 9. Finance posts it and pays it in full from the bank; the order is done.
    services.bill_post(actor=s.accountant, company=acme, bill_id=bill.pk)
    deliver_events()
    po.refresh_from_db()
    assert po.state == "done"
    bank = Journal.objects.get(company=acme, kind=Journal.Kind.BANK)
    finance.payment_register(
        actor=s.accountant,
        company=acme,
        direction="outbound",
        party_id=s.supplier.pk,
        amount=D("388.80"),
        journal_id=bank.pk,
        date=invoice.invoice_date,
        invoice_ids=[invoice.pk],
    )
    payable = finance_selectors.account_for_role(company=acme, role="payable")
    assert finance_selectors.account_balance(company=acme, account_id=payable.pk, party_id=s.supplier.pk) == D("0.00")

    # 10. The ledger: payables settled, 64.80 input VAT to reclaim, GRNI carries no bill for goods not received.
    assert balance(acme, "payable") == D("0.00")
    assert balance(acme, "tax_input") == D("64.80")
    stock_account = finance_selectors.account_for_role(company=acme, role="stock")
    grni = balance(acme, "stock_input")
    if _valuation_posts(acme):
        # Receipts post Dr stock / Cr GRNI at their unit cost: the bill cleared the order's 324.00 to the cent;
        # what is left is the 20 opening bolts (20 × 1.90 = 38.00), received without an order to bill.
        # Stock holds 38.00 + 180 × 1.80 = 362.00.
        assert grni == D("-38.00")
        assert finance_selectors.account_balance(company=acme, account_id=stock_account.pk) == D("362.00")
    else:
        # Without stock valuation, the bill alone debits GRNI with what was received.
        assert grni == D("324.00")
    assert on_hand() == D(200)
    assert Account.objects.filter(company=acme, role="stock_input").count() >= 1


def finance_opening(s) -> Transfer:
    """Twenty bolts received at their cost price of 1.90, before any purchase order existed."""
    from spona.back.inventory import services as inventory

    transfer = inventory.transfer_create(
        actor=None,
        company=s.company,
        kind="receipt",
        warehouse_id=s.warehouse.pk,
        lines=[inventory.TransferLineIn(product_id=s.bolt.pk, quantity=D(20))],
    )
    return inventory.transfer_validate(actor=None, company=s.company, transfer_id=transfer.pk)


def _valuation_posts(company) -> bool:
    """Whether inventory values receipts in the ledger yet (stock valuation is being built alongside)."""
    stock_account = finance_selectors.account_for_role(company=company, role="stock")
    return finance_selectors.account_balance(company=company, account_id=stock_account.pk) != D(0)
