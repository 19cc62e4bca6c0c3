"""Queries of the automation app: what views, the API and other apps read."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from spona.bridge.automation.models import ApprovalPolicy, ApprovalRequest, ApprovalStep
from spona.core.errors import NotFound
from spona.core.models import Company, User
from spona.core.permissions import has_perm, require, roles_in


def _requests(company: Company) -> QuerySet[ApprovalRequest]:
    steps = ApprovalStep.objects.select_related("decided_by").order_by("sequence")
    return (
        ApprovalRequest.objects.filter(company=company)
        .select_related("requested_by")
        .prefetch_related(Prefetch("steps", queryset=steps))
    )


def approval_for(*, company: Company, record_type: str, record_id: int) -> ApprovalRequest | None:
    """Return the latest approval request of a record (with its steps), or None.

    For the owning app, which shows the record's approval state; it checks its own permission.
    """
    return _requests(company).filter(record_type=record_type, record_id=record_id).order_by("-created_at", "-id").first()


def approval_inbox(*, user: User, company: Company) -> list[ApprovalRequest]:
    """Pending requests whose current step one of the user's roles decides, oldest first.

    The user's own requests are left out: nobody approves their own request.
    """
    require(user, "automation.approve", company)
    roles = roles_in(user, company)
    return list(
        _requests(company)
        .filter(state=ApprovalRequest.State.PENDING, steps__state=ApprovalStep.State.PENDING, steps__role__in=roles)
        .exclude(requested_by=user)
        .order_by("created_at", "id")
        .distinct()
    )


def approval_history(*, user: User, company: Company, limit: int = 50) -> list[ApprovalRequest]:
    """Requests the user asked for or took part in, newest first; admins see every request."""
    require(user, "automation.approve", company)
    qs = _requests(company)
    if not has_perm(user, "automation.manage", company):
        qs = qs.filter(pk__in=ApprovalRequest.objects.filter(company=company, requested_by=user).values("pk")) | qs.filter(
            pk__in=ApprovalStep.objects.filter(request__company=company, decided_by=user).values("request_id")
        )
    return list(qs.order_by("-created_at", "-id")[:limit])


def approval_get(*, user: User, company: Company, request_id: int) -> ApprovalRequest:
    """One request with its steps, for its requester, its deciders, a holder of a step's role, or an admin.

    Raises NotFound otherwise, so another company's request looks like a missing one.
    """
    require(user, "automation.approve", company)
    request = _requests(company).filter(pk=request_id).first()
    if request is None:
        raise NotFound("No such approval request.")
    roles = roles_in(user, company)
    involved = (
        request.requested_by_id == user.pk
        or any(s.decided_by_id == user.pk or s.role in roles for s in request.steps.all())
        or has_perm(user, "automation.manage", company)
    )
    if not involved:
        raise NotFound("No such approval request.")
    return request


def can_decide(*, user: User, company: Company, request: ApprovalRequest) -> bool:
    """Tell whether the user may decide the request's current step now (for buttons)."""
    if not request.is_pending() or request.requested_by_id == user.pk:
        return False
    current = next((s for s in request.steps.all() if s.state == ApprovalStep.State.PENDING), None)
    return current is not None and current.role in roles_in(user, company)


def policy_list(*, user: User, company: Company) -> list[ApprovalPolicy]:
    """The company's approval policies with their steps (admins)."""
    require(user, "automation.manage", company)
    return list(ApprovalPolicy.objects.filter(company=company).prefetch_related("steps"))


def policy_get(*, user: User, company: Company, policy_id: int) -> ApprovalPolicy:
    """One approval policy of the company; raises NotFound."""
    require(user, "automation.manage", company)
    policy = ApprovalPolicy.objects.filter(company=company, pk=policy_id).prefetch_related("steps").first()
    if policy is None:
        raise NotFound("No such approval policy.")
    return policy
