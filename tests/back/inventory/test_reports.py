"""Inventory reports: valuation against the ledger, turnover, slow movers, stock-out forecast, the check command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from spona.back.finance import services as finance
from spona.back.finance.selectors import account_for_role
from spona.back.inventory import reports, services
from spona.back.inventory.models import Location
from spona.back.inventory.services.locations import virtual_location
from spona.core.errors import PermissionDenied, ValidationFailed
from tests.back.inventory.helpers import delivery
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(company):
    finance.ledger_setup(actor=None, company=company)
    return company


def receive_at(company, warehouse, product, quantity, unit_cost, *, scheduled=None, validate=True):
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        scheduled_date=scheduled,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=D(quantity), unit_cost=D(unit_cost))],
    )
    if validate:
        services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
    return transfer


def deliver(company, warehouse, product, quantity):
    services.transfer_validate(actor=None, company=company, transfer_id=delivery(company, warehouse, product, quantity).pk)


def test_valuation_by_product_category_and_warehouse_reconciles_with_the_ledger(books, warehouse, product, make_product):
    # given two products in a category, stock in two warehouses
    tools = services.category_create(actor=None, company=books, name="Tools")
    hammer = make_product("HAMMER", category_id=tools.pk)
    second = services.warehouse_create(actor=None, company=books, code="WH2", name="Second")
    receive_at(books, warehouse, product, 10, "0.50")
    receive_at(books, warehouse, hammer, 3, "10.00")
    receive_at(books, second, hammer, 1, "12.00")
    deliver(books, warehouse, hammer, 1)
    today = timezone.localdate()
    # when the report is asked for by product, category and warehouse
    by_product = reports.valuation_report(user=None, company=books, as_of=today)
    by_category = reports.valuation_report(user=None, company=books, as_of=today, group_by="category")
    by_warehouse = reports.valuation_report(user=None, company=books, as_of=today, group_by="warehouse")
    # then the hammer's 3 units are worth 3 × 10.50, the bolts 5.00, and the ledger agrees to the cent
    assert [(r.label, r.quantity, r.value) for r in by_product.rows] == [
        ("[BOLT] Product BOLT", D(10), D("5.00")),
        ("[HAMMER] Product HAMMER", D(3), D("31.50")),
    ]
    assert [(r.label, r.value) for r in by_category.rows] == [("Tools", D("31.50")), ("—", D("5.00"))]
    assert [(r.label, r.quantity, r.value) for r in by_warehouse.rows] == [
        ("WH Main warehouse", D(12), D("26.00")),
        ("WH2 Second", D(1), D("10.50")),
    ]
    for report in (by_product, by_category, by_warehouse):
        assert (report.total, report.ledger_balance, report.difference, report.reconciled) == (
            D("36.50"),
            D("36.50"),
            D(0),
            True,
        )


def test_valuation_as_of_an_earlier_day_leaves_later_moves_out(books, warehouse, product):
    # given a receipt yesterday and a delivery today
    with time_machine.travel(timezone.now() - dt.timedelta(days=1)):
        receive_at(books, warehouse, product, 4, "1.00")
    deliver(books, warehouse, product, 1)
    # when valued as of yesterday
    report = reports.valuation_report(user=None, company=books, as_of=timezone.localdate() - dt.timedelta(days=1))
    # then the delivery is not in it, on both sides
    assert (report.total, report.ledger_balance) == (D("4.00"), D("4.00"))


def test_without_a_ledger_the_report_says_so(company, warehouse, product):
    # given stock valued in a company without a chart of accounts
    receive_at(company, warehouse, product, 2, "1.00")
    # when the report is asked for
    report = reports.valuation_report(user=None, company=company, as_of=timezone.localdate())
    # then the value is there, the ledger side is missing and the report explains why
    assert (report.total, report.ledger_balance, report.difference, report.unposted) == (D("2.00"), None, None, D("2.00"))
    assert "set up the chart of accounts" in report.notes[0]


def test_reports_need_the_inventory_view_permission(company):
    with pytest.raises(PermissionDenied):
        reports.valuation_report(user=member(company, "support"), company=company, as_of=timezone.localdate())
    with pytest.raises(ValidationFailed):
        reports.valuation_report(user=None, company=company, as_of=timezone.localdate(), group_by="colour")


def test_turnover_is_cost_of_goods_sold_over_average_stock(books, warehouse, product):
    # given 10 received at 2.00 last month and 6 delivered this month
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        receive_at(books, warehouse, product, 10, "2.00")
    deliver(books, warehouse, product, 6)
    today = timezone.localdate()
    # when the turnover of the last 30 days is asked for
    [row] = reports.turnover(user=None, company=books, date_from=today - dt.timedelta(days=30), date_to=today)
    # then COGS 12.00 over an average stock of (20.00 + 8.00) / 2 = 14.00 turns 0.86 times
    assert (row.cogs, row.opening, row.closing, row.average, row.turnover) == (
        D("12.00"),
        D("20.00"),
        D("8.00"),
        D("14.00"),
        D("0.86"),
    )


def test_slow_movers_are_in_stock_and_idle_for_n_days(books, warehouse, product, make_product):
    # given a product that last went out 100 days ago, one that went out today, one never
    old, fresh, never = product, make_product("FRESH"), make_product("NEVER")
    with time_machine.travel(timezone.now() - dt.timedelta(days=100)):
        for item in (old, fresh, never):
            receive_at(books, warehouse, item, 5, "1.00")
        deliver(books, warehouse, old, 1)
    deliver(books, warehouse, fresh, 1)
    # when products idle for 90 days are listed
    rows = reports.slow_movers(user=None, company=books, days=90)
    # then the old one and the never-moved one show, with their value
    assert {(r.sku, r.quantity, r.value) for r in rows} == {("BOLT", D(4), D("4.00")), ("NEVER", D(5), D("5.00"))}
    assert {r.sku: r.idle_days(timezone.localdate()) for r in rows} == {"BOLT": 100, "NEVER": None}


def test_forecast_finds_the_day_stock_runs_out(books, warehouse, product):
    # given 5 on hand, a delivery of 4 in 2 days, a receipt of 3 in 5 days, a delivery of 3 in 3 days
    today = timezone.localdate()
    receive_at(books, warehouse, product, 5, "1.00")
    for days, qty in ((2, 4), (3, 3)):
        transfer = services.transfer_create(
            actor=None,
            company=books,
            kind="delivery",
            warehouse_id=warehouse.pk,
            scheduled_date=today + dt.timedelta(days=days),
            lines=[services.TransferLineIn(product_id=product.pk, quantity=D(qty))],
        )
        if days == 2:
            services.transfer_confirm(actor=None, company=books, transfer_id=transfer.pk)
    receive_at(books, warehouse, product, 3, "1.00", scheduled=today + dt.timedelta(days=5), validate=False)
    # when the stock-outs are forecast
    [row] = reports.stockout_forecast(user=None, company=books)
    # then stock runs out in 3 days, 2 short, and a receipt follows in 5
    assert (row.sku, row.on_hand, row.outgoing, row.incoming) == ("BOLT", D(5), D(7), D(3))
    assert (row.stockout_on, row.short_by, row.next_receipt) == (
        today + dt.timedelta(days=3),
        D(2),
        today + dt.timedelta(days=5),
    )


def test_forecast_counts_reservations_outside_transfers_today(books, warehouse, product):
    receive_at(books, warehouse, product, 2, "1.00")
    services.reservation_create(
        actor=None, company=books, product_id=product.pk, location_id=warehouse.stock_location_id, quantity=D(2), reference="SO1"
    )
    delivery(books, warehouse, product, 1)
    [row] = reports.stockout_forecast(user=None, company=books)
    assert (row.stockout_on, row.short_by) == (timezone.localdate(), D(1))


def test_the_check_command_reports_a_ledger_that_drifted(books, warehouse, product, capsys):
    # given valued, posted stock
    receive_at(books, warehouse, product, 2, "1.00")
    call_command("inventory", "check")
    assert "stock valuation agrees with the stock and the ledger (0 differences)" in capsys.readouterr().out
    # when someone posts to the stock account by hand
    accounts = {a: finance_account(books, a) for a in ("stock", "stock_loss")}
    journal = finance.journal_ensure(company=books, code="STK", name="Stock valuation")
    finance.entry_create(
        actor=None,
        company=books,
        journal_id=journal,
        date=timezone.localdate(),
        lines=[
            finance.LineIn(account_id=accounts["stock"], debit=D("1.00")),
            finance.LineIn(account_id=accounts["stock_loss"], credit=D("1.00")),
        ],
        post=True,
    )
    # then the check names the difference and the command fails
    with pytest.raises(CommandError, match="1 stock or valuation mismatch"):
        call_command("inventory", "check", "--company", books.code)
    assert "stock valued at 2.0000 but the ledger's stock account holds 3.00" in capsys.readouterr().out


def finance_account(company, role):
    return account_for_role(company=company, role=role).pk


def test_customer_location_is_valid_for_returns_only_into_stock(books, warehouse, product):
    customers = virtual_location(books, Location.Kind.CUSTOMER)
    with pytest.raises(ValidationFailed):
        services.transfer_create(
            actor=None,
            company=books,
            kind="internal",
            warehouse_id=warehouse.pk,
            from_location_id=customers.pk,
            lines=[services.TransferLineIn(product_id=product.pk, quantity=D(1))],
        )
