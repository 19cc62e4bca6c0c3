"""Sales targets and the sales dashboard: figures, filters, pages, CSV export and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from spona.core.errors import PermissionDenied, ValidationFailed
from spona.front.crm import selectors, services
from spona.front.crm.models import SalesTarget
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import member, party
from tests.front.crm.factories import opportunity

pytestmark = pytest.mark.django_db
JAN5 = dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def boss(company):
    return member(company, "management")


def _deal(company, actor, org, revenue, opened, closed=None, lost=False):
    with time_machine.travel(opened, tick=False):
        opp = opportunity(company, actor, org, revenue=revenue)
    if closed is not None:
        with time_machine.travel(closed, tick=False):
            if lost:
                services.opportunity_lose(actor=actor, company=company, opportunity_id=opp.pk, reason="Price")
            else:
                services.opportunity_win(actor=actor, company=company, opportunity_id=opp.pk)
    return opp


@pytest.fixture
def quarter(company, sales, boss):
    """Q1 2027: two deals won in February (36 and 20 days), one lost in March, one won in April, two open."""
    org = party(company, "Nova Trade")
    _deal(company, sales, org, "1000.00", JAN5, dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC))
    feb1, feb21 = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC), dt.datetime(2027, 2, 21, 9, 0, tzinfo=dt.UTC)
    _deal(company, boss, org, "2000.00", feb1, feb21)
    _deal(company, sales, org, "500.00", JAN5, dt.datetime(2027, 3, 3, 9, 0, tzinfo=dt.UTC), lost=True)
    _deal(company, sales, org, "700.00", JAN5, dt.datetime(2027, 4, 2, 9, 0, tzinfo=dt.UTC))
    _deal(company, sales, org, "300.00", JAN5)
    _deal(company, boss, org, "100.00", JAN5)
    team = services.team_create(actor=boss, company=company, name="Inside", member_ids=[sales.pk, boss.pk])
    q1, feb = dt.date(2027, 2, 14), dt.date(2027, 2, 1)
    services.target_set(actor=boss, company=company, period="quarter", start=q1, amount=Decimal(9000), team_id=team.pk)
    services.target_set(actor=boss, company=company, period="month", start=feb, amount=Decimal(1000), owner_id=sales.pk)
    return team


def test_period_parse_reads_months_quarters_and_years():
    today = dt.date(2027, 5, 20)

    def span(value):
        period = selectors.period_parse(value, today)
        return period.start, period.end

    assert span("2027-02") == (dt.date(2027, 2, 1), dt.date(2027, 3, 1))
    assert span("2026-q4") == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert span("2027") == (dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    # anything else is the current quarter
    for junk in ("", "2027-13", "2027-Q5", "x' OR 1=1"):
        assert selectors.period_parse(junk, today).key == "2027-Q2"


def test_the_quarter_dashboard_figures(company, boss, quarter):
    board = selectors.dashboard(user=boss, company=company, period=selectors.period_parse("2027-Q1", dt.date(2027, 1, 1)))
    # then two won and one lost in the quarter: 66.7 % won, 1,500 on average, 28 days from opening to winning
    assert (board.won, board.lost, board.win_rate, board.average_deal, board.cycle_days) == (
        2, 1, Decimal("66.7"), Decimal("1500.00"), Decimal("28.0")
    )  # fmt: skip
    # and revenue against the team target, spread a third per month of the quarter
    assert (board.revenue, board.target, board.attainment) == (Decimal("3000.00"), Decimal("9000.00"), Decimal("33.3"))
    assert [(m.label, m.won, m.lost, m.revenue, m.target) for m in board.months] == [
        ("2027-01", 0, 0, Decimal("0.00"), Decimal("3000.00")),
        ("2027-02", 2, 0, Decimal("3000.00"), Decimal("3000.00")),
        ("2027-03", 0, 1, Decimal("0.00"), Decimal("3000.00")),
    ]
    # and the open pipeline is by stage, weighted by its probability
    first = board.stages[0]
    assert (first.count, first.amount) == (2, Decimal("400.00"))
    assert first.weighted == (Decimal("400") * first.probability / 100).quantize(Decimal("0.01"))


def test_one_owners_dashboard_counts_their_deals_and_their_target(company, sales, boss, quarter):
    board = selectors.dashboard(
        user=boss, company=company, period=selectors.period_parse("2027-02", dt.date(2027, 1, 1)), owner_id=sales.pk
    )
    assert (board.won, board.revenue, board.target, board.attainment, board.cycle_days) == (
        1, Decimal("1000.00"), Decimal("1000.00"), Decimal("100.0"), Decimal("36.0")
    )  # fmt: skip
    # and the team's own target is the team's
    team_board = selectors.dashboard(
        user=boss, company=company, period=selectors.period_parse("2027-02", dt.date(2027, 1, 1)), team_id=quarter.pk
    )
    assert team_board.target == Decimal("3000.00") and team_board.won == 0  # the deals carry no team


def test_a_target_is_set_once_per_subject_and_period(company, boss, sales):
    first = services.target_set(
        actor=boss, company=company, period="quarter", start=dt.date(2027, 5, 20), amount=Decimal("1000.005"), owner_id=sales.pk
    )
    assert (first.start, first.label(), first.amount) == (dt.date(2027, 4, 1), "2027-Q2", Decimal("1000.01"))
    again = services.target_set(
        actor=boss, company=company, period="quarter", start=dt.date(2027, 4, 1), amount=Decimal(2000), owner_id=sales.pk
    )
    assert again.pk == first.pk and SalesTarget.objects.get().amount == Decimal("2000.00")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "owner_id"),
        ({"owner_id": -1, "team_id": -1}, "owner_id"),
        ({"owner_id": "stranger"}, "owner_id"),
        ({"owner_id": "sales", "amount": Decimal(-1)}, "amount"),
        ({"owner_id": "sales", "period": "week"}, "period"),
    ],
)
def test_target_input_is_checked(company, other_company, boss, sales, fields, error):
    ids = {"sales": sales.pk, "stranger": member(other_company, "sales").pk, -1: 1}
    data = {"period": "month", "amount": Decimal(10), **fields}
    for key in ("owner_id", "team_id"):
        if key in data:
            data[key] = ids[data[key]]
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(actor=boss, company=company, start=dt.date(2027, 1, 1), **data)
    assert error in caught.value.field_errors


def test_only_managers_set_targets(company, sales):
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=sales, company=company, period="month", start=dt.date(2027, 1, 1), amount=Decimal(1), owner_id=sales.pk
        )


def test_dashboard_page_filters_and_exports_csv(client, company, sales, boss, quarter, django_assert_max_num_queries):
    client.force_login(boss)
    with django_assert_max_num_queries(16):
        response = client.get("/crm/dashboard/", {"period": "2027-Q1"})
    body = response.content.decode()
    assert response.status_code == 200 and "Sales dashboard · 2027-Q1" in body
    assert 'id="dashboard-data"' in body and "chart.umd.min.js" in body and "66.7 %" in body and "1,500.00" in body
    csv = client.get("/crm/dashboard/", {"period": "2027-Q1", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "month,won,lost,win_rate_percent,revenue,target,attainment_percent,currency"
    assert lines[2] == "2027-02,2,0,100.0,3000.00,3000.00,100.0,EUR"
    assert lines[-1] == "total,2,1,66.7,3000.00,9000.00,33.3,EUR"
    # a salesperson sees the dashboard, not the targets page
    client.force_login(sales)
    assert client.get("/crm/dashboard/", {"owner": "x", "period": "nonsense"}).status_code == 200
    assert client.get("/crm/targets/").status_code == 403


def test_targets_page_sets_and_removes_a_target(client, company, boss, sales):
    client.force_login(boss)
    response = client.post(
        "/crm/targets/", {"subject": f"user:{sales.pk}", "period": "month", "start": "2027-02-14", "amount": "1500"}
    )
    assert response.status_code == 302
    target = SalesTarget.objects.get()
    assert (target.owner, target.start, target.amount) == (sales, dt.date(2027, 2, 1), Decimal("1500.00"))
    assert "2027-02" in client.get("/crm/targets/").content.decode()
    assert client.post(f"/crm/targets/{target.pk}/delete/").status_code == 302
    assert not SalesTarget.objects.exists()


def test_targets_and_dashboard_api(api_as, company, boss, sales, quarter):  # noqa: F811
    manager = api_as(boss)
    # when a manager sets a target through the API
    response = manager.post(
        f"{API}/crm/targets",
        {"owner_id": sales.pk, "period": "month", "start": "2027-03-31", "amount": "800"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["label"], body["amount"], body["currency"]) == ("2027-03", "800.00", "EUR")
    assert len(manager.get(f"{API}/crm/targets", {"year": 2027}).json()) == 3
    # then the dashboard of that person shows it
    board = manager.get(f"{API}/crm/dashboard", {"period": "2027-Q1", "owner_id": sales.pk}).json()
    figures = (board["won"], board["lost"], board["revenue"], board["target"], board["win_rate"])
    assert figures == (1, 1, "1000.00", "1800.00", "50.0")
    assert [m["month"] for m in board["months"]] == ["2027-01", "2027-02", "2027-03"]
    # and a salesperson reads the dashboard but sets no target
    seller = api_as(sales)
    assert seller.get(f"{API}/crm/dashboard").status_code == 200
    refused = seller.post(
        f"{API}/crm/targets", {"owner_id": sales.pk, "start": "2027-03-01", "amount": "1"}, content_type="application/json"
    )
    assert_problem(refused, 403)
    assert manager.delete(f"{API}/crm/targets/{body['id']}").status_code == 204
    assert_problem(manager.delete(f"{API}/crm/targets/{body['id']}"), 404)


def test_a_deal_won_the_day_it_opened_shows_a_cycle_of_zero_not_a_dash(client, company, boss):
    # given one deal opened and won at once, in a period without targets
    org = party(company, "Nova Trade")
    deal = opportunity(company, boss, org, revenue="100.00")
    services.opportunity_win(actor=boss, company=company, opportunity_id=deal.pk)
    client.force_login(boss)
    # when the dashboard of the current month is shown
    body = client.get("/crm/dashboard/", {"period": timezone.localdate().strftime("%Y-%m")}).content.decode()
    # then the cycle is 0.0 days and the attainment without a target is a dash
    kpis = body[body.index('id="dashboard-kpis"') : body.index('id="stages-title"')]
    assert ">0.0<" in kpis.replace(" ", "").replace("\n", "")
    assert "100.00 / 0.00" in kpis
