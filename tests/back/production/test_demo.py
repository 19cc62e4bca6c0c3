"""The production part of the demo company, built on a small context: orders in every state, books that balance."""

from __future__ import annotations

import random
from decimal import Decimal as D

from spona.back.finance import selectors as finance_selectors
from spona.back.finance import services as finance
from spona.back.inventory import services as inventory
from spona.back.inventory.reports import valuation_check
from spona.back.production.demo import build_production
from spona.back.production.models import ProductionOrder
from spona.core import demo
from tests.factories import member, party


def test_the_workshop_step_makes_orders_in_every_state_and_leaves_work_in_progress_empty(company):
    # given only what the step reads: a ledger, an operations user, a warehouse, its units and two customers
    finance.ledger_setup(actor=None, company=company)
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    weight = inventory.uom_category_create(actor=None, company=company, name="Weight")
    length = inventory.uom_category_create(actor=None, company=company, name="Length")
    inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))
    inventory.uom_create(actor=None, company=company, category_id=weight.pk, name="kg", rounding=D("0.001"))
    inventory.uom_create(actor=None, company=company, category_id=length.pk, name="m", rounding=D("0.01"))
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Demo warehouse")
    customers = [party(company, name, roles=["customer"]) for name in ("Kafana Kod Stole", "Stolarija Jovanović")]
    ctx = demo.DemoContext(
        company=company,
        users={"operations": member(company, "operations", email="ops@demo.test")},
        rng=random.Random(f"{demo.SEED}:production.workshop"),
        organisations=2,
        persons=0,
        records={"inventory.warehouse": [warehouse.pk], "organisations": [c.pk for c in customers]},
    )
    # when the production step runs
    build_production(ctx)
    # then there are orders done, in progress, confirmed (one short of worktops, with its child orders) and a draft
    orders = ProductionOrder.objects.filter(company=company, parent__isnull=True)
    states = sorted(orders.values_list("state", flat=True))
    assert states == ["confirmed", "confirmed", "done", "done", "draft", "in_progress"]
    assert orders.filter(components_short=True).exists()
    assert orders.filter(party__in=customers).count() == 2
    # and the books balance: work in progress is empty, the bench time sits on the absorption account,
    # and the stock's value equals the ledger
    wip = finance_selectors.account_for_role(company=company, role="wip")
    absorbed = finance_selectors.account_for_role(company=company, role="production_absorbed")
    assert finance_selectors.account_balance(company=company, account_id=wip.pk) == 0
    assert finance_selectors.account_balance(company=company, account_id=absorbed.pk) < 0
    assert valuation_check(company) == []
