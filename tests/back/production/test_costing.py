"""Production in the ledger: components and the bench's time go through work in progress, which ends empty."""

from __future__ import annotations

import importlib
from decimal import Decimal as D

from django.apps import apps

from spona.back.finance import selectors as finance_selectors
from spona.back.finance import services as finance
from spona.back.finance.models import Account, JournalLine
from spona.back.inventory.models import ValuationLayer
from spona.back.production import services
from tests.back.production.conftest import MONDAY

upgrade = importlib.import_module("spona.back.finance.migrations.0008_production_absorbed_role")


def balance(company, role: str) -> D:
    account = finance_selectors.account_for_role(company=company, role=role)
    return finance_selectors.account_balance(company=company, account_id=account.pk)


def test_a_finished_order_leaves_work_in_progress_empty_and_values_the_goods_at_the_roll_up(
    company, warehouse, stool, stock, planner
):
    # given a ledger and components bought in: 10 seats at 8.00, 20 legs at 2.00, 100 screws at 0.05
    finance.ledger_setup(actor=None, company=company)
    stock(stool["seat"], 10, D("8.00"))
    stock(stool["leg"], 20, D("2.00"))
    stock(stool["screw"], 100, D("0.05"))
    stock_before = balance(company, "stock")
    # and an order for 3 stools: 3 seats 24.00 + 10 legs (3 × 3 + 5 % scrap, rounded up) 20.00
    # + 36 screws 1.80 = 45.80 of components, 30 min setup + 3 × 10 min at 30.00/h = 30.00 of bench time
    order = services.production_order_create(
        actor=planner, company=company, product_id=stool["stool"].pk, quantity=D(3), warehouse_id=warehouse.pk, start_date=MONDAY
    )
    services.production_order_confirm(actor=planner, company=company, order_id=order.pk)
    # when one stool is made, then the other two finish the order
    services.production_order_produce(actor=planner, company=company, order_id=order.pk, quantity=D(1))
    services.production_order_finish(actor=planner, company=company, order_id=order.pk)
    order.refresh_from_db()
    # then the stools are in stock at the planned roll-up, 75.80
    assert order.planned_cost == D("75.8000") and order.actual_cost == D("75.8000")
    layers = ValuationLayer.objects.filter(company=company, product=stool["stool"])
    # the first stool: 8.00 + 3 legs 6.00 + 0.60 + 40 min (setup included) 20.00; the other two the rest
    assert sorted(layer.value for layer in layers) == [D("34.60"), D("41.20")]
    # and work in progress is empty: the bench's 30.00 was absorbed, which stock gained
    assert balance(company, "wip") == D("0.00")
    assert balance(company, "production_absorbed") == D("-30.00")
    assert balance(company, "stock") == stock_before + D("30.00")
    # and each batch's absorption entry names the order
    absorbed = finance_selectors.account_for_role(company=company, role="production_absorbed")
    references = set(JournalLine.objects.filter(account=absorbed).values_list("entry__reference", flat=True))
    assert references == {order.number}


def test_a_company_set_up_before_the_role_gets_its_absorption_account_on_upgrade(company):
    # given a company whose chart predates the role, and which already uses 5300 for something else
    finance.ledger_setup(actor=None, company=company)
    Account.objects.filter(company=company, role="production_absorbed").delete()
    finance.account_create(actor=None, company=company, code="5300", name="Subcontracting", type="expense")
    # when the migration runs
    upgrade.add_absorption_accounts(apps, None)
    # then the company has the account under "Cost of sales", on the next free code
    account = finance_selectors.account_for_role(company=company, role="production_absorbed")
    assert (account.code, account.name, account.type, account.parent.code) == (
        "5301",
        "Production costs absorbed",
        "expense",
        "5",
    )
    # and running it again adds nothing
    upgrade.add_absorption_accounts(apps, None)
    assert Account.objects.filter(company=company, role="production_absorbed").count() == 1
