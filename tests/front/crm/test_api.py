"""Contract of /api/v1/crm: leads, qualification, opportunities and their moves, activities, pipelines."""

from __future__ import annotations

import pytest

from spona.core.models import Party
from spona.front.crm.models import Lead
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import member, party

pytestmark = pytest.mark.django_db
CRM = f"{API}/crm"


@pytest.fixture
def seller(api_as, sales):  # noqa: F811
    return api_as(sales)


def test_create_get_update_a_lead_with_stale_version_409(seller, company):
    # when a lead is created through the API
    response = seller.post(
        f"{CRM}/leads", {"contact_name": "Mila Ilić", "email": "mila@nova.rs"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # then it is scored with reasons and can be read back
    assert (body["source"], body["status"], body["score"], body["version"]) == ("api", "new", 40, 1)
    assert {"points": 15, "reason": "business e-mail domain nova.rs"} in body["score_reasons"]
    assert seller.get(f"{CRM}/leads/{body['id']}").json()["email"] == "mila@nova.rs"
    # and an update against an old version answers 409
    ok = seller.put(f"{CRM}/leads/{body['id']}", {"version": 1, "contact_name": "Mila"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = seller.put(f"{CRM}/leads/{body['id']}", {"version": 1, "contact_name": "X"}, content_type="application/json")
    assert_problem(stale, 409, "stale_version")


def test_lead_input_refuses_unknown_and_protected_fields(seller):
    response = seller.post(
        f"{CRM}/leads", {"contact_name": "A", "score": 100, "status": "qualified"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert_problem(seller.post(f"{CRM}/leads", {"email": "a@b.rs"}, content_type="application/json"), 422, "validation_failed")
    assert Lead.objects.count() == 0


def test_list_leads_with_filters_and_cursor(seller, company, sales):
    for i in range(3):
        seller.post(f"{CRM}/leads", {"contact_name": f"Lead {i}"}, content_type="application/json")
    first = seller.get(f"{CRM}/leads?limit=2").json()
    assert [x["contact_name"] for x in first["items"]] == ["Lead 2", "Lead 1"] and first["next_cursor"]
    second = seller.get(f"{CRM}/leads?limit=2&cursor={first['next_cursor']}").json()
    assert [x["contact_name"] for x in second["items"]] == ["Lead 0"] and second["next_cursor"] is None
    assert [x["contact_name"] for x in seller.get(f"{CRM}/leads?q=Lead%201").json()["items"]] == ["Lead 1"]


def test_qualify_then_move_win_and_lose(seller, company):
    lead = seller.post(
        f"{CRM}/leads", {"contact_name": "Mila Ilić", "company_name": "Nova Trade"}, content_type="application/json"
    ).json()
    # when the lead is qualified
    response = seller.post(f"{CRM}/leads/{lead['id']}/qualify", {"expected_revenue": "1234.5"}, content_type="application/json")
    assert response.status_code == 201, response.content
    opp = response.json()
    assert (opp["stage"], opp["expected_revenue"], opp["currency"], opp["status"]) == ("New", "1234.50", "EUR", "open")
    assert Party.objects.get(pk=opp["party_id"]).name == "Nova Trade"
    # and a second qualification answers 409
    assert_problem(seller.post(f"{CRM}/leads/{lead['id']}/qualify", {}, content_type="application/json"), 409)
    # when it moves to the next stage
    stages = seller.get(f"{CRM}/pipelines").json()[0]["stages"]
    assert [s["name"] for s in stages] == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    moved = seller.post(f"{CRM}/opportunities/{opp['id']}/move", {"stage_id": stages[1]["id"]}, content_type="application/json")
    assert moved.json()["stage"] == "Qualified" and moved.json()["probability"] == "25.00"
    # then a stale move answers 409, winning works once
    stale = seller.post(
        f"{CRM}/opportunities/{opp['id']}/move", {"stage_id": stages[2]["id"], "version": 1}, content_type="application/json"
    )
    assert_problem(stale, 409, "stale_version")
    assert seller.post(f"{CRM}/opportunities/{opp['id']}/win", {}, content_type="application/json").json()["status"] == "won"
    assert_problem(seller.post(f"{CRM}/opportunities/{opp['id']}/lose", {"reason": "x"}, content_type="application/json"), 409)


def test_create_update_and_lose_an_opportunity(seller, company):
    org = party(company, "Nova Trade")
    created = seller.post(
        f"{CRM}/opportunities", {"title": "Deal", "party_id": org.pk, "expected_revenue": "10"}, content_type="application/json"
    ).json()
    updated = seller.put(
        f"{CRM}/opportunities/{created['id']}",
        {"version": 1, "title": "Bigger deal", "party_id": org.pk, "expected_revenue": "20.005"},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["expected_revenue"] == "20.01"
    assert (
        seller.post(f"{CRM}/opportunities/{created['id']}/lose", {"reason": ""}, content_type="application/json").status_code
        == 422
    )
    lost = seller.post(f"{CRM}/opportunities/{created['id']}/lose", {"reason": "Price"}, content_type="application/json").json()
    assert (lost["status"], lost["lost_reason"], lost["stage"]) == ("lost", "Price", "Lost")
    listed = seller.get(f"{CRM}/opportunities?status=lost").json()["items"]
    assert [o["id"] for o in listed] == [created["id"]]


def test_activities_create_list_and_done(seller, company, sales):
    response = seller.post(
        f"{CRM}/activities",
        {"kind": "call", "subject": "Call", "due_at": "2027-01-05T09:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["owner_id"] == sales.pk
    activity = response.json()
    assert seller.get(f"{CRM}/activities?mine=true&done=false").json()["items"][0]["id"] == activity["id"]
    assert seller.post(f"{CRM}/activities/{activity['id']}/done").json()["done"] is True
    assert_problem(seller.post(f"{CRM}/activities/{activity['id']}/done"), 409)


def test_other_company_records_answer_404_and_roles_403(api_as, company, other_company, sales):  # noqa: F811
    lead = api_as(sales).post(f"{CRM}/leads", {"contact_name": "Mine"}, content_type="application/json").json()
    stranger = api_as(member(other_company, "admin"), in_company=other_company)
    assert stranger.get(f"{CRM}/leads/{lead['id']}").status_code == 404
    finance = api_as(member(company, "finance"))
    assert finance.get(f"{CRM}/leads").status_code == 403
    marketing = api_as(member(company, "marketing"))
    assert marketing.get(f"{CRM}/leads").status_code == 200
    assert marketing.post(f"{CRM}/leads", {"contact_name": "x"}, content_type="application/json").status_code == 403


def test_an_activity_with_a_reminder_then_moved_then_cleared(seller):
    # when an activity is planned with a reminder through the API
    body = seller.post(
        f"{CRM}/activities",
        {"subject": "Call Mila", "due_at": "2027-03-10T15:00:00Z", "remind_at": "2027-03-10T14:45:00Z"},
        content_type="application/json",
    ).json()
    assert body["remind_at"] == "2027-03-10T14:45:00Z"
    # then it can be moved, refused after the due time, and cleared
    url = f"{CRM}/activities/{body['id']}/reminder"
    moved = seller.post(url, {"remind_at": "2027-03-10T09:00:00Z"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["remind_at"] == "2027-03-10T09:00:00Z"
    assert_problem(seller.post(url, {"remind_at": "2027-03-11T09:00:00Z"}, content_type="application/json"), 422)
    assert seller.post(url, {"remind_at": None}, content_type="application/json").json()["remind_at"] is None
