"""E-mails of the automation app, always sent after commit through the job queue, and its in-app notifications.

A service calls ``*_on_commit``: once its transaction commits, a task is queued; the task
renders and sends the mail. A rolled-back transaction therefore mails nobody (QUALITY C1).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

import spona.bridge.notifications.services as notifications
from spona.bridge.automation.models import ApprovalRequest, ApprovalStep
from spona.core.models import User


def absolute(path: str) -> str:
    """Turn a path into a link for an e-mail, on the address set in ``SPONA_BASE_URL``."""
    return settings.SPONA_BASE_URL.rstrip("/") + path


def approvers_on_commit(*, request_id: int) -> None:
    """Tell the holders of the current step's role that a decision is waiting: in Spona now, by mail after commit."""
    from spona.bridge.automation import tasks

    request = ApprovalRequest.objects.select_related("company").get(pk=request_id)
    step = request.steps.filter(state=ApprovalStep.State.PENDING).order_by("sequence").first()
    if step is not None:
        notifications.notify(
            company=request.company,
            kind="approval",
            role=step.role,
            exclude_user_ids=[request.requested_by_id],
            title=format_lazy(_("Approval needed: {subject}"), subject=request.subject),
            link=reverse("automation:approval_detail", args=[request.pk]),
            mailed=True,
        )
    transaction.on_commit(lambda: tasks.notify_approvers.enqueue(request_id))


def requester_on_commit(*, request_id: int) -> None:
    """Tell the requester how their request ended: in Spona now, by mail after commit."""
    from spona.bridge.automation import tasks

    request = ApprovalRequest.objects.select_related("company").get(pk=request_id)
    if request.requested_by_id is not None:
        title = _("Approved: {subject}") if request.state == ApprovalRequest.State.APPROVED else _("Rejected: {subject}")
        notifications.notify(
            company=request.company,
            kind="approval",
            user_ids=[request.requested_by_id],
            title=format_lazy(title, subject=request.subject),
            link=reverse("automation:approval_detail", args=[request.pk]),
            mailed=True,
        )
    transaction.on_commit(lambda: tasks.notify_requester.enqueue(request_id))


def _messages(
    template: str, request: ApprovalRequest, users: list[User], extra: dict[str, object]
) -> list[tuple[str, str, None, list[str]]]:
    link = absolute(reverse("automation:approval_detail", args=[request.pk]))
    out = []
    for user in users:
        context = {"request": request, "user": user, "link": link, **extra}
        with translation.override(user.language):
            subject = render_to_string(f"automation/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"automation/email/{template}.txt", context)
        out.append((subject, body, None, [user.email]))
    return out


def send_to_approvers(request_id: int) -> int:
    """Mail every active holder of the pending step's role (except the requester); return how many."""
    request = ApprovalRequest.objects.select_related("company", "requested_by").filter(pk=request_id).first()
    if request is None or not request.is_pending():
        return 0
    step = request.steps.filter(state=ApprovalStep.State.PENDING).first()
    if step is None:
        return 0
    users = list(
        User.objects.filter(memberships__company=request.company, memberships__role=step.role, is_active=True)
        .exclude(pk=request.requested_by_id)
        .distinct()
    )
    return send_mass_mail(_messages("approval_needed", request, users, {"step": step}), fail_silently=False)


def send_to_requester(request_id: int) -> int:
    """Mail the requester the outcome and the last comment; return how many mails went out."""
    request = ApprovalRequest.objects.select_related("requested_by").filter(pk=request_id).first()
    if request is None or request.is_pending() or request.requested_by is None or not request.requested_by.is_active:
        return 0
    last = request.steps.exclude(decided_by=None).select_related("decided_by").order_by("-sequence").first()
    return send_mass_mail(_messages("approval_decided", request, [request.requested_by], {"step": last}), fail_silently=False)


def send_plain(subject: str, body: str, emails: list[str]) -> int:
    """Send a rule's e-mail, one message per recipient so that nobody sees the others' addresses."""
    return send_mass_mail([(subject, body, None, [email]) for email in emails], fail_silently=False)
