"""The sales part of the demo company: price lists, customer terms, quotations and orders in every state."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.utils import timezone

from spona.back.finance.selectors import balance_check, ledger_verify, trial_balance
from spona.back.inventory import selectors as stock
from spona.bridge.automation.models import ApprovalRequest
from spona.core import demo, services
from spona.core.models import Event
from spona.front.sales.demo import build_sales
from spona.front.sales.models import CustomerTerms, Order, PriceList, Quotation, Return
from tests.front.sales.world import sales_world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # A dozen Argon2 hashes per build cost seconds; the hash algorithm is not what this test checks.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_step_sells_in_every_state_with_the_books_and_stock_in_order(db):
    # given the kernel's demo steps on a small context (users, 30 organisations)
    company = services.company_create(actor=None, name="Demo", code="demo", base_currency="EUR", country="RS")
    ctx = demo.DemoContext(company=company, users={}, rng=random.Random(demo.SEED), organisations=30, persons=5)
    for step in demo.steps():
        if step.name.startswith("core."):
            step.func(replace(ctx, rng=random.Random(f"{demo.SEED}:{step.name}")))
    # and, in place of the full books and catalogue steps, a ledger and a warehouse with three stocked products
    world = sales_world(company, stock=500)
    ctx.records["inventory.warehouse"] = [world.warehouse.pk]
    # when the sales step runs
    build_sales(replace(ctx, rng=random.Random(f"{demo.SEED}:sales.orders")))

    # then there is a standard list and a wholesale list with quantity breaks, and terms for ten customers and the held one
    lists = {pl.name: pl for pl in PriceList.objects.filter(company=company)}
    assert sorted(lists) == [f"Standard {timezone.localdate().year}", "Wholesale"]
    assert lists["Wholesale"].customer_group.name == "Wholesale"
    assert set(lists["Wholesale"].items.values_list("min_quantity", flat=True)) == {D(1), D(50), D(100)}
    terms = CustomerTerms.objects.filter(company=company)
    assert terms.count() == 11 and terms.filter(credit_limit__isnull=False).exists()
    # and 25 quotations in every state: nine accepted through the link, two expired, one waiting for discount approval
    quotations = Quotation.objects.filter(company=company)
    assert quotations.count() == 25
    assert set(quotations.values_list("status", flat=True)) == set(Quotation.Status.values)
    assert Order.objects.filter(company=company, quotation__isnull=False, created_by__isnull=True).count() == 9
    assert quotations.filter(status="sent", valid_until__lt=timezone.localdate()).count() == 2
    assert quotations.filter(approval="pending").count() == 1 and quotations.filter(revision=2).count() == 2
    # and 20 orders: paid, delivered, partly delivered, waiting, cancelled, one returned, one held, one draft
    orders = Order.objects.filter(company=company).prefetch_related("lines")
    assert orders.count() == 20
    delivered = [o for o in orders if o.lines.all() and all(x.qty_delivered == x.quantity for x in o.lines.all())]
    partly = [o for o in orders if any(0 < x.qty_delivered < x.quantity for x in o.lines.all())]
    assert (len(delivered), len(partly)) == (6 + 3 + 1, 2)
    assert orders.filter(status="done").count() == 6 + 1
    assert orders.filter(status="cancelled").count() == 2
    assert orders.filter(status="confirmed", lines__qty_delivered=0).distinct().count() == 4
    assert orders.filter(status="draft", approval="pending", hold_reason__startswith="Credit limit").count() == 1
    assert Return.objects.filter(company=company, credit_note__isnull=False, transfer__state="done").count() == 1
    # and the discount and the credit limit wait for the manager; the approved discount names its reason
    assert ApprovalRequest.objects.filter(company=company, state="pending").count() == 2
    assert ApprovalRequest.objects.filter(company=company, state="approved", steps__comment__contains="Long-standing").exists()
    # and the books balance and their chains verify, the stock agrees with its moves (QUALITY L1, L3, S2)
    rows = trial_balance(user=None, company=company)
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows) > 0
    assert balance_check(company=company) == [] and ledger_verify(company=company) == []
    assert stock.stock_check(company) == []
    # and the events for the customers' timelines are published, payments included
    names = set(Event.objects.filter(company=company).values_list("name", flat=True))
    assert {"sales.quotation_accepted", "sales.order_invoiced", "sales.return_created", "sales.order_held"} <= names
    assert Event.objects.filter(company=company, name="finance.invoice_paid").count() == 6
