"""Approvals: ask, decide step by step, and set up each kind's policy.

The caller decides *whether* a record needs approval (its own threshold); this module decides
*who* approves: the company's policy for the kind lists steps by role and minimum amount. A
company without a policy for a kind gets one step by management.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.bridge.automation import notifications
from spona.bridge.automation.models import ApprovalPolicy, ApprovalPolicyStep, ApprovalRequest, ApprovalStep
from spona.bridge.automation.models.approvals import APPROVER_ROLES
from spona.core import audit, events
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require, roles_in

DEFAULT_ROLE = "management"
ROLES = {value for value, _label in APPROVER_ROLES}


@dataclass(frozen=True)
class PolicyStepIn:
    """One step of a policy as an admin enters it."""

    role: str
    min_amount: Decimal = Decimal(0)


def roles_for(*, company: Company, kind: str, amount: Decimal | None) -> list[str]:
    """Return the roles that must approve, in order, for a request of ``kind`` and ``amount``.

    A step applies when the amount reaches its minimum (a step from 0 always applies; without an
    amount only those do). When the amount reaches no step, the policy's first step still
    decides: the caller has already judged that approval is needed.
    """
    policy = ApprovalPolicy.objects.filter(company=company, kind=kind, is_active=True).first()
    steps = list(policy.steps.all()) if policy else []
    if not steps:
        return [DEFAULT_ROLE]
    value = amount if amount is not None else Decimal(0)
    applying = [s.role for s in steps if value >= s.min_amount]
    return applying or [steps[0].role]


@transaction.atomic
def approval_request(
    *,
    actor: User,
    company: Company,
    kind: str,
    record_type: str,
    record_id: int,
    subject: str,
    amount: Decimal | None = None,
    currency: str = "",
    url: str = "",
) -> ApprovalRequest:
    """Ask for approval of a record; the company's policy for ``kind`` decides who approves.

    A record has at most one pending request: asking again while one is pending returns it.
    The approvers of the first step are e-mailed after commit. Raises ValidationFailed on an
    empty kind, record type or subject, or a negative amount.
    """
    require(actor, "automation.request", company)
    errors: dict[str, list[str]] = {}
    for field, value in (("kind", kind), ("record_type", record_type), ("subject", subject)):
        if not value.strip():
            errors[field] = ["This field is required."]
    if amount is not None and amount < 0:
        errors["amount"] = ["The amount cannot be negative."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    pending = (
        ApprovalRequest.objects.select_for_update()
        .filter(company=company, record_type=record_type, record_id=record_id, state=ApprovalRequest.State.PENDING)
        .first()
    )
    if pending is not None:
        return pending
    roles = roles_for(company=company, kind=kind, amount=amount)
    request = ApprovalRequest.objects.create(
        company=company,
        kind=kind.strip(),
        record_type=record_type.strip(),
        record_id=record_id,
        subject=subject.strip()[:250],
        amount=amount,
        currency=currency,
        url=url,
        requested_by=actor,
    )
    ApprovalStep.objects.bulk_create(
        [
            ApprovalStep(
                request=request,
                sequence=i,
                role=role,
                state=ApprovalStep.State.PENDING if i == 1 else ApprovalStep.State.WAITING,
            )
            for i, role in enumerate(roles, start=1)
        ]
    )
    audit.record(actor=actor, target=request, action="approval_requested")
    events.publish(
        "automation.approval_requested",
        company=company,
        actor=actor,
        request_id=request.pk,
        kind=request.kind,
        record_type=request.record_type,
        record_id=request.record_id,
        subject=request.subject,
        amount=None if amount is None else str(amount),
        currency=currency,
        roles=roles,
    )
    notifications.approvers_on_commit(request_id=request.pk)
    return request


@transaction.atomic
def approval_decide(*, actor: User, company: Company, request_id: int, approve: bool, comment: str) -> ApprovalRequest:
    """Approve or reject the request's current step as a holder of that step's role.

    The request row is locked, so of two approvers deciding at once one decides and the other
    gets StateError (QUALITY C4). A rejection ends the flow; the last approval ends it approved.
    Either end publishes ``automation.approval_decided`` for the requesting app. Raises
    NotFound, PermissionDenied (self-approval, or the actor lacks the step's role) and
    StateError (already decided).
    """
    require(actor, "automation.approve", company)
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id, company=company).first()
    if request is None:
        raise NotFound("No such approval request.")
    if not request.is_pending():
        raise StateError(f"This request was {request.get_state_display().lower()} already.", code="already_decided")
    step = request.steps.filter(state=ApprovalStep.State.PENDING).order_by("sequence").first()
    if step is None:
        raise StateError("This request has no step left to decide.", code="already_decided")
    if request.requested_by_id == actor.pk:
        raise PermissionDenied("Nobody approves their own request.", code="self_approval")
    if step.role not in roles_in(actor, company):
        raise PermissionDenied(f"This step is decided by the {step.get_role_display()} role.", code="not_approver")
    now = timezone.now()
    step.state = ApprovalStep.State.APPROVED if approve else ApprovalStep.State.REJECTED
    step.decided_by = actor
    step.decided_at = now
    step.comment = comment.strip()
    step.save(update_fields=["state", "decided_by", "decided_at", "comment"])
    following = request.steps.filter(state=ApprovalStep.State.WAITING).order_by("sequence")
    if not approve:
        following.update(state=ApprovalStep.State.SKIPPED)
        request.state = ApprovalRequest.State.REJECTED
    else:
        next_step = following.first()
        if next_step is not None:
            next_step.state = ApprovalStep.State.PENDING
            next_step.save(update_fields=["state"])
        else:
            request.state = ApprovalRequest.State.APPROVED
    audit.record(actor=actor, target=request, action="approved" if approve else "rejected", changes={"step": step.sequence})
    if request.is_pending():
        request.save(update_fields=["updated_at"])
        notifications.approvers_on_commit(request_id=request.pk)
        return request
    request.decided_at = now
    request.save(update_fields=["state", "decided_at", "updated_at"])
    events.publish(
        "automation.approval_decided",
        company=company,
        actor=actor,
        request_id=request.pk,
        kind=request.kind,
        record_type=request.record_type,
        record_id=request.record_id,
        outcome=request.state,
        comment=step.comment,
        decided_by_id=actor.pk,
    )
    notifications.requester_on_commit(request_id=request.pk)
    return request


@transaction.atomic
def policy_save(
    *, actor: User, company: Company, kind: str, name: str, steps: list[PolicyStepIn], is_active: bool = True
) -> ApprovalPolicy:
    """Create or replace the company's policy for ``kind`` with ``steps`` in the given order.

    Raises ValidationFailed when there is no step, a role is unknown, an amount is negative, or
    the minimum amounts go down from one step to the next (a later step is for larger amounts).
    Requests already made keep the steps they were given.
    """
    require(actor, "automation.manage", company)
    errors: dict[str, list[str]] = {}
    if not kind.strip():
        errors["kind"] = ["This field is required."]
    if not steps:
        errors["steps"] = ["Add at least one step."]
    for i, step in enumerate(steps, start=1):
        if step.role not in ROLES:
            errors.setdefault("steps", []).append(f"Step {i}: unknown role {step.role!r}.")
        if step.min_amount < 0:
            errors.setdefault("steps", []).append(f"Step {i}: the amount cannot be negative.")
        if i > 1 and step.min_amount < steps[i - 2].min_amount:
            errors.setdefault("steps", []).append(f"Step {i}: its amount must not be below the previous step's.")
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    policy, created = ApprovalPolicy.objects.select_for_update().get_or_create(
        company=company, kind=kind.strip(), defaults={"name": name.strip() or kind.strip(), "is_active": is_active}
    )
    if not created:
        policy.name = name.strip() or policy.kind
        policy.is_active = is_active
        policy.save(update_fields=["name", "is_active", "updated_at"])
        policy.steps.all().delete()
    ApprovalPolicyStep.objects.bulk_create(
        [
            ApprovalPolicyStep(policy=policy, sequence=i, role=s.role, min_amount=s.min_amount)
            for i, s in enumerate(steps, start=1)
        ]
    )
    audit.record(
        actor=actor,
        target=policy,
        action="created" if created else "changed",
        changes={"steps": [[s.role, str(s.min_amount)] for s in steps]},
    )
    return policy


@transaction.atomic
def policy_delete(*, actor: User, company: Company, policy_id: int) -> None:
    """Remove a policy: its kind falls back to one step by management."""
    require(actor, "automation.manage", company)
    policy = ApprovalPolicy.objects.select_for_update().filter(pk=policy_id, company=company).first()
    if policy is None:
        raise NotFound("No such approval policy.")
    audit.record(actor=actor, target=policy, action="deleted")
    policy.delete()
