"""The automation REST endpoints under /api/v1/automation/: approvals (more to come below).

Thin by rule: each endpoint parses an explicit input schema, calls one automation service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Another
company's request answers 404; deciding a request that is decided already 409; deciding
one's own request or a step of another role 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from spona.bridge.automation import selectors, services
from spona.bridge.automation.models import ApprovalRequest
from spona.core.api import Id, Input, Text
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
