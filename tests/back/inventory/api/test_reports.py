"""The inventory report endpoints: figures as decimal strings, scoped to the caller's company, problem JSON."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.finance import services as finance
from spona.back.inventory import services
from tests.back.inventory.helpers import delivery, receive
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(company, warehouse, product):
    finance.ledger_setup(actor=None, company=company)
    receive(company, warehouse, product, 10)
    services.transfer_validate(actor=None, company=company, transfer_id=delivery(company, warehouse, product, 4).pk)
    delivery(company, warehouse, product, 9)
    return product


def test_valuation_endpoint_reconciles_with_the_ledger(api_as, company, stock):
    api = api_as(member(company, "finance"))
    body = api.get("/api/v1/inventory/reports/valuation?group_by=warehouse").json()
    assert (body["total"], body["ledger_balance"], body["difference"], body["unposted"]) == ("3.00", "3.00", "0.00", "0.00")
    assert body["rows"] == [
        {"key": body["rows"][0]["key"], "label": "WH Main warehouse", "product_id": None, "quantity": "6", "value": "3.00"}
    ]


def test_turnover_slow_movers_and_forecast_endpoints(api_as, company, warehouse, stock):
    api = api_as(member(company, "operations"))
    [turn] = api.get("/api/v1/inventory/reports/turnover").json()
    assert (turn["sku"], turn["cogs"], turn["closing_value"]) == ("BOLT", "2.00", "3.00")
    assert api.get("/api/v1/inventory/reports/slow-movers?days=30").json() == []
    [short] = api.get(f"/api/v1/inventory/reports/forecast?warehouse_id={warehouse.pk}").json()
    assert (short["sku"], short["on_hand"], short["outgoing"], short["short_by"]) == ("BOLT", "6", "9", "3")
    assert D(short["short_by"]) == 3


def test_reversed_period_is_a_problem_not_a_crash(api_as, company, stock):
    response = api_as(member(company, "operations")).get(
        "/api/v1/inventory/reports/turnover?date_from=2026-05-01&date_to=2026-01-01"
    )
    assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")


def test_another_company_sees_only_its_own_stock(api_as, other_company, company, warehouse, stock):
    api = api_as(member(other_company, "operations"), in_company=other_company)
    assert api.get("/api/v1/inventory/reports/valuation").json()["rows"] == []
    assert api.get(f"/api/v1/inventory/reports/forecast?warehouse_id={warehouse.pk}").json() == []
    assert api_as(member(company, "support")).get("/api/v1/inventory/reports/valuation").status_code == 403
