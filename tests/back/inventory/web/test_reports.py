"""Inventory report pages: valuation against the ledger, turnover, slow movers, forecast; filters, CSV, roles."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest

from spona.back.finance import services as finance
from spona.back.inventory import services
from tests.back.inventory.helpers import delivery, receive
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(company, warehouse, make_product):
    """A ledger and 12 products received at 1.50, one with a formula-like name, one partly delivered."""
    finance.ledger_setup(actor=None, company=company)
    products = [
        make_product(f"R{n:02d}", name="=HYPERLINK(1)" if n == 0 else f"Item {n}", cost_price=D("1.50")) for n in range(12)
    ]
    for n, product in enumerate(products):
        receive(company, warehouse, product, n + 1)
    services.transfer_validate(actor=None, company=company, transfer_id=delivery(company, warehouse, products[5], 2).pk)
    return products


def test_valuation_page_shows_the_reconciliation_and_pins_its_queries(
    client, login, company, stocked, django_assert_max_num_queries
):
    # given a finance user and valued, posted stock
    login(member(company, "finance"))
    # when the valuation page is opened (its query count does not grow with the products;
    # two of them look for stock without valuation layers, to offer the opening valuation)
    with django_assert_max_num_queries(12):
        response = client.get("/inventory/reports/valuation/")
    # then it lists each product's value and shows a zero difference from the ledger
    assert response.status_code == 200
    report = response.context["valuation"]
    assert (report.total, report.ledger_balance, report.difference) == (D("114.00"), D("114.00"), D(0))
    html = response.content.decode()
    assert 'data-testid="difference">0.00' in html and "[R05] Item 5" in html
    # grouped by category, everything is in one row
    grouped = client.get("/inventory/reports/valuation/?group_by=category&as_of=2999-01-01").context["table"].rows
    assert grouped == [["—", "76", "", "114.00"]]


def test_valuation_csv_defuses_formulas(client, login, company, warehouse, make_product, stocked):
    # given a category whose name a spreadsheet would run as a formula
    category = services.category_create(actor=None, company=company, name="=SUM(A1)")
    receive(company, warehouse, make_product("F1", category_id=category.pk, cost_price=D(2)), 1)
    login(member(company, "operations"))
    # when the valuation by category is exported
    response = client.get("/inventory/reports/valuation/?export=csv&group_by=category")
    # then the cell is quoted and the figures are plain decimals
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Category", "Quantity", "Unit", "Value"], ["'=SUM(A1)", "1", "", "2.00"], ["—", "76", "", "114.00"]]


def test_turnover_slow_movers_and_forecast_pages(client, login, company, warehouse, stocked):
    login(member(company, "operations"))
    # turnover: the one product sold shows its cost of goods sold
    turnover = client.get("/inventory/reports/turnover/").context["table"].rows
    assert turnover[0][:2] == ["[R05] Item 5", "3.00"]
    # slow movers: nothing has gone out for a day except R05, so 11 products idle
    slow = client.get("/inventory/reports/slow-movers/?days=1")
    assert slow.status_code == 200
    # a delivery of more than on hand makes the forecast
    delivery(company, warehouse, stocked[0], 5)
    forecast = client.get(f"/inventory/reports/forecast/?warehouse={warehouse.pk}").context["table"].rows
    assert [row[0] for row in forecast] == ["[R00] =HYPERLINK(1)"] and forecast[0][5] == "4"
    csv_rows = list(csv.reader(io.StringIO(client.get("/inventory/reports/forecast/?export=csv").content.decode())))
    assert csv_rows[1][:2] == ["[R00] =HYPERLINK(1)", "1"]


def test_reversed_dates_show_a_message_not_an_error(client, login, company, stocked):
    login(member(company, "operations"))
    response = client.get("/inventory/reports/turnover/?date_from=2026-05-01&date_to=2026-01-01")
    assert response.status_code == 200 and response.context["table"].rows == []
    assert "The start date is after the end date." in response.content.decode()


def test_report_pages_are_for_inventory_viewers_only(client, login, company):
    login(member(company, "support"))
    for url in ("valuation", "turnover", "slow-movers", "forecast"):
        assert client.get(f"/inventory/reports/{url}/").status_code in (403, 404)
