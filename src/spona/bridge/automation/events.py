"""Events the automation app publishes."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class ApprovalRequestedPayload(BaseModel):
    request_id: int
    kind: str
    record_type: str
    record_id: int
    subject: str
    amount: str | None
    currency: str
    roles: list[str]


class ApprovalDecidedPayload(BaseModel):
    request_id: int
    kind: str
    record_type: str
    record_id: int
    outcome: str  # "approved" | "rejected"
    comment: str
    decided_by_id: int


APPROVAL_REQUESTED = define(
    EventType(
        "automation.approval_requested",
        "A record needs approval.",
        ApprovalRequestedPayload,
        "automation",
        "Approval requested: {subject}",
    )
)
APPROVAL_DECIDED = define(
    EventType(
        "automation.approval_decided",
        "An approval flow ended: approved or rejected.",
        ApprovalDecidedPayload,
        "automation",
        "Approval {outcome}: {comment}",
    )
)
