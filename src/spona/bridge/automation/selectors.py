"""Queries of the automation app: what views, the API and other apps read."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from spona.bridge.automation.models import ApprovalPolicy, ApprovalRequest, ApprovalStep, Rule, RuleRun, Webhook, WebhookDelivery
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


def approvals_for(*, company: Company, record_type: str, record_id: int) -> list[ApprovalRequest]:
    """Return every approval request of a record (with its steps), newest first: its approval history.

    For the owning app, which shows it on the record's page; it checks its own permission.
    """
    return list(_requests(company).filter(record_type=record_type, record_id=record_id).order_by("-created_at", "-id"))


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


def rule_list(*, user: User, company: Company) -> list[Rule]:
    """The company's automation rules (admins)."""
    require(user, "automation.manage", company)
    return list(Rule.objects.filter(company=company).select_related("run_as"))


def rule_get(*, user: User, company: Company, rule_id: int) -> Rule:
    """One rule of the company; raises NotFound."""
    require(user, "automation.manage", company)
    rule = Rule.objects.filter(company=company, pk=rule_id).select_related("run_as").first()
    if rule is None:
        raise NotFound("No such rule.")
    return rule


def rule_runs(*, user: User, company: Company, rule_id: int, limit: int = 50) -> list[RuleRun]:
    """The latest runs of a rule, newest first."""
    rule = rule_get(user=user, company=company, rule_id=rule_id)
    return list(RuleRun.objects.filter(rule=rule).order_by("-created_at", "-id")[:limit])


def webhook_list(*, user: User, company: Company) -> list[Webhook]:
    """The company's webhooks (admins)."""
    require(user, "automation.manage", company)
    return list(Webhook.objects.filter(company=company))


def webhook_get(*, user: User, company: Company, webhook_id: int) -> Webhook:
    """One webhook of the company; raises NotFound."""
    require(user, "automation.manage", company)
    webhook = Webhook.objects.filter(company=company, pk=webhook_id).first()
    if webhook is None:
        raise NotFound("No such webhook.")
    return webhook


def delivery_list(*, user: User, company: Company, webhook_id: int, limit: int = 50) -> list[WebhookDelivery]:
    """A webhook's latest deliveries, newest first."""
    webhook = webhook_get(user=user, company=company, webhook_id=webhook_id)
    return list(WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")[:limit])
