"""One automation record of every kind, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from spona.bridge.automation import services
from spona.bridge.automation.models import ApprovalPolicy, ApprovalRequest, ApprovalStep, Rule, Webhook, WebhookDelivery
from spona.bridge.automation.services import webhooks
from spona.core.models import Company
from tests.factories import member

SENTINEL = "Sentinel Victim"
API_GROUP = "automation"
# Anyone on the staff may ask for and decide approvals (as the step's role allows), so may list them.
STAFF_READABLE = ("/automation/approvals",)
PK_OF = {
    "automation:approval_": "approval_id",
    "automation:policy_": "approval_policy_id",
    "automation:rule_": "automation_rule_id",
    "automation:webhook_": "webhook_id",
    "automation:delivery_": "webhook_delivery_id",
}


def records(company: Company) -> dict[str, int]:
    """Create an approval policy, a pending request, a webhook with a delivery and a rule, all carrying the sentinel."""
    admin = member(company, "admin", full_name=f"{SENTINEL} Automation Admin")
    requester = member(company, "sales", full_name=f"{SENTINEL} Requester")
    # Access requests are approved by management, then by IT: an IT member takes part in the flow
    # and may read it, but may not decide management's step.
    policy = services.policy_save(
        actor=admin,
        company=company,
        kind="it.access",
        name=f"{SENTINEL} Access policy",
        steps=[services.PolicyStepIn("management"), services.PolicyStepIn("it")],
    )
    request = services.approval_request(
        actor=requester,
        company=company,
        kind="it.access",
        record_type="it.access_request",
        record_id=1,
        subject=f"{SENTINEL} access to payroll",
        amount=Decimal("0.00"),
        currency="EUR",
    )
    webhook = webhooks.webhook_create(
        actor=admin,
        company=company,
        name=f"{SENTINEL} Hook",
        url="https://hooks.example.com/in",
        event_types=["core.party_created"],
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event_name="core.party_created", body=f'{{"name": "{SENTINEL}"}}', status=WebhookDelivery.Status.FAILED
    )
    rule = services.rule_save(
        actor=admin,
        company=company,
        data=services.RuleIn(
            name=f"{SENTINEL} Rule", event_name="core.party_created", actions=[{"type": "add_tag", "tag": SENTINEL}]
        ),
    )
    return {
        "approval_id": request.pk,
        "approval_policy_id": policy.pk,
        "webhook_id": webhook.pk,
        "webhook_delivery_id": delivery.pk,
        "automation_rule_id": rule.pk,
    }


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "decide_automation_approval": lambda ids: {"approve": True, "comment": "Planted"},
    "test_automation_rule": lambda ids: {"payload": {"name": "Planted"}},
    "activate_automation_rule": lambda ids: {"active": True},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's approval request is still pending, undecided, and the policy unchanged."""
    request = ApprovalRequest.objects.get(pk=ids["approval_id"])
    assert request.state == "pending"
    assert not ApprovalStep.objects.filter(request=request).exclude(decided_by=None).exists()
    policy = ApprovalPolicy.objects.get(pk=ids["approval_policy_id"])
    assert [s.role for s in policy.steps.all()] == ["management", "it"]
    webhook = Webhook.objects.get(pk=ids["webhook_id"])
    assert (webhook.name, webhook.url, webhook.is_active) == (f"{SENTINEL} Hook", "https://hooks.example.com/in", True)
    assert not WebhookDelivery.objects.filter(replay_of_id=ids["webhook_delivery_id"]).exists()
    rule = Rule.objects.get(pk=ids["automation_rule_id"])
    assert (rule.name, rule.is_active, rule.version, rule.tested_version) == (f"{SENTINEL} Rule", False, 1, 0)
