"""Contract of /api/v1/automation: my approvals, deciding, history; rule dry run and switch; delivery replay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spona.bridge.automation import services
from spona.bridge.automation.models import WebhookDelivery
from spona.bridge.automation.services import webhooks
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import member, party

pytestmark = pytest.mark.django_db
AUTO = f"{API}/automation"


def ask(actor, company):
    return services.approval_request(
        actor=actor,
        company=company,
        kind="sales.discount",
        record_type="sales.quotation",
        record_id=3,
        subject="Discount on Q-3",
        amount=Decimal("300.00"),
        currency="EUR",
    )


def test_a_manager_lists_and_decides_through_the_api(api_as, company, sales):  # noqa: F811
    # given a pending request and a manager's token
    request = ask(sales, company)
    boss = api_as(member(company, "management"))
    # when the manager lists their approvals and approves
    listed = boss.get(f"{AUTO}/approvals").json()
    assert [(a["id"], a["amount"], a["steps"][0]["state"]) for a in listed] == [(request.pk, "300.00", "pending")]
    response = boss.post(
        f"{AUTO}/approvals/{request.pk}/decide", {"approve": True, "comment": "ok"}, content_type="application/json"
    )
    # then the request is approved; a second decision answers 409
    assert response.status_code == 200 and response.json()["state"] == "approved"
    again = boss.post(f"{AUTO}/approvals/{request.pk}/decide", {"approve": False}, content_type="application/json")
    assert_problem(again, 409, "already_decided")
    assert [a["id"] for a in boss.get(f"{AUTO}/approvals/history").json()] == [request.pk]


def test_the_requester_cannot_decide_their_own_request(api_as, company, sales):  # noqa: F811
    request = ask(sales, company)
    response = api_as(sales).post(f"{AUTO}/approvals/{request.pk}/decide", {"approve": True}, content_type="application/json")
    assert_problem(response, 403, "self_approval")


def test_dry_run_then_switch_on_a_rule(api_as, company, admin):  # noqa: F811
    rule = services.rule_save(
        actor=admin,
        company=company,
        data=services.RuleIn(name="VIP", event_name="core.party_created", actions=[{"type": "add_tag", "tag": "VIP"}]),
    )
    client = api_as(admin)
    untested = client.post(f"{AUTO}/rules/{rule.pk}/activate", {"active": True}, content_type="application/json")
    assert_problem(untested, 409, "untested")
    sample = party(company, "Sample Ltd")
    tested = client.post(f"{AUTO}/rules/{rule.pk}/test", {"record_id": sample.pk}, content_type="application/json")
    assert tested.status_code == 200 and tested.json()["matched"] is True
    switched = client.post(f"{AUTO}/rules/{rule.pk}/activate", {"active": True}, content_type="application/json")
    assert switched.status_code == 200 and switched.json()["is_active"] is True


def test_replay_a_delivery(api_as, company, admin):  # noqa: F811
    hook = webhooks.webhook_create(
        actor=admin, company=company, name="Mirror", url="https://hooks.example.com/in", event_types=["core.party_created"]
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event_name="core.party_created", body="{}", status="failed")
    response = api_as(admin).post(f"{AUTO}/deliveries/{delivery.pk}/replay")
    assert response.status_code == 201 and response.json()["replay_of_id"] == delivery.pk
