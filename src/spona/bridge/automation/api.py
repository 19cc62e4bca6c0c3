"""The automation REST endpoints under /api/v1/automation/: approvals, rule dry runs, webhook replays.

Thin by rule: each endpoint parses an explicit input schema, calls one automation service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Another
company's request answers 404; deciding a request that is decided already 409; deciding
one's own request or a step of another role 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from spona.bridge.automation import selectors, services
from spona.bridge.automation.models import ApprovalRequest, Rule
from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User

router = Router(tags=["automation"])

ApprovalState = Literal[tuple(ApprovalRequest.State.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


# Approvals ----------------------------------------------------------------------------------------


class ApprovalStepOut(Schema):
    sequence: int
    role: str
    state: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    comment: str


class ApprovalOut(Schema):
    id: int
    kind: str
    record_type: str
    record_id: int
    subject: str
    amount: str | None = Field(description="A decimal amount as a string, or null.")
    currency: str
    url: str
    requested_by_id: int | None
    state: ApprovalState
    created_at: dt.datetime
    decided_at: dt.datetime | None
    steps: list[ApprovalStepOut]


class DecisionIn(Input):
    approve: bool
    comment: Text = Field("", max_length=2000)


def _approval_out(request: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "kind": request.kind,
        "record_type": request.record_type,
        "record_id": request.record_id,
        "subject": request.subject,
        "amount": None if request.amount is None else str(request.amount),
        "currency": request.currency,
        "url": request.url,
        "requested_by_id": request.requested_by_id,
        "state": request.state,
        "created_at": request.created_at,
        "decided_at": request.decided_at,
        "steps": [
            {
                "sequence": s.sequence,
                "role": s.role,
                "state": s.state,
                "decided_by_id": s.decided_by_id,
                "decided_at": s.decided_at,
                "comment": s.comment,
            }
            for s in request.steps.all()
        ],
    }


@router.get("/approvals", response=list[ApprovalOut])
def list_automation_approvals(request: HttpRequest) -> Any:
    """The requests waiting for my decision (the current step is one of my roles), oldest first."""
    user, company = _caller(request)
    return [_approval_out(r) for r in selectors.approval_inbox(user=user, company=company)]


@router.get("/approvals/history", response=list[ApprovalOut])
def list_automation_approval_history(request: HttpRequest) -> Any:
    """The requests I asked for or decided (every request for administrators), newest first."""
    user, company = _caller(request)
    return [_approval_out(r) for r in selectors.approval_history(user=user, company=company)]


@router.get("/approvals/{approval_id}", response=ApprovalOut)
def get_automation_approval(request: HttpRequest, approval_id: Id) -> Any:
    """One request with its steps, for the people involved in it."""
    user, company = _caller(request)
    return _approval_out(selectors.approval_get(user=user, company=company, request_id=approval_id))


@router.post("/approvals/{approval_id}/decide", response=ApprovalOut)
def decide_automation_approval(request: HttpRequest, approval_id: Id, payload: DecisionIn) -> Any:
    """Approve or reject the current step as a holder of its role."""
    user, company = _caller(request)
    services.approval_decide(
        actor=user, company=company, request_id=approval_id, approve=payload.approve, comment=payload.comment
    )
    return _approval_out(selectors.approval_get(user=user, company=company, request_id=approval_id))


# Rules -------------------------------------------------------------------------------------------


class AutomationRuleOut(Schema):
    id: int
    name: str
    trigger: str
    event_name: str
    record_type: str
    date_field: str
    offset_days: int
    condition: Any
    actions: list[dict[str, Any]]
    is_active: bool
    is_tested: bool
    version: int


class RuleTestIn(Input):
    record_id: Id | None = Field(None, description="A sample record of the rule's record type.")
    payload: dict[str, Any] = Field(default_factory=dict, description="A sample event payload (event rules).")


class RuleTestOut(Schema):
    matched: bool
    record_found: bool
    steps: list[str]


class ActivateIn(Input):
    active: bool


def _rule_out(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "trigger": rule.trigger,
        "event_name": rule.event_name,
        "record_type": rule.record_type,
        "date_field": rule.date_field,
        "offset_days": rule.offset_days,
        "condition": rule.condition,
        "actions": rule.actions,
        "is_active": rule.is_active,
        "is_tested": rule.is_tested(),
        "version": rule.version,
    }


@router.post("/rules/{automation_rule_id}/test", response=RuleTestOut)
def test_automation_rule(request: HttpRequest, automation_rule_id: Id, payload: RuleTestIn) -> Any:
    """Dry-run a rule against a sample; nothing changes but the run log (administrators)."""
    user, company = _caller(request)
    if len(str(payload.payload)) > 5000:
        raise ValidationFailed("The sample payload is too large.", field_errors={"payload": ["At most 5,000 characters."]})
    result = services.rule_test(
        actor=user, company=company, rule_id=automation_rule_id, record_id=payload.record_id, payload=payload.payload
    )
    return {"matched": result.matched, "record_found": result.record_found, "steps": result.steps}


@router.post("/rules/{automation_rule_id}/activate", response=AutomationRuleOut)
def activate_automation_rule(request: HttpRequest, automation_rule_id: Id, payload: ActivateIn) -> Any:
    """Switch a tested rule on, or a rule off (administrators); an untested rule answers 409."""
    user, company = _caller(request)
    return _rule_out(services.rule_activate(actor=user, company=company, rule_id=automation_rule_id, active=payload.active))


# Webhook deliveries --------------------------------------------------------------------------------


class WebhookDeliveryOut(Schema):
    id: int
    webhook_id: int
    event_name: str
    status: str
    attempts: int
    replay_of_id: int | None
    created_at: dt.datetime


@router.post("/deliveries/{webhook_delivery_id}/replay", response={201: WebhookDeliveryOut})
def replay_automation_delivery(request: HttpRequest, webhook_delivery_id: Id) -> Any:
    """Send a logged webhook delivery again, as a new delivery (administrators)."""
    user, company = _caller(request)
    delivery = services.delivery_replay(actor=user, company=company, delivery_id=webhook_delivery_id)
    return Status(
        201,
        {
            "id": delivery.pk,
            "webhook_id": delivery.webhook_id,
            "event_name": delivery.event_name,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "replay_of_id": delivery.replay_of_id,
            "created_at": delivery.created_at,
        },
    )
