"""Background jobs of the automation app: thin wrappers over its services and mailers."""

from __future__ import annotations

from spona.bridge.automation import notifications
from spona.bridge.automation.services import webhooks
from spona.tasks import task


@task()
def notify_approvers(request_id: int) -> int:
    return notifications.send_to_approvers(request_id)


@task()
def notify_requester(request_id: int) -> int:
    return notifications.send_to_requester(request_id)


@task()
def send_webhook(delivery_id: int) -> str | None:
    return webhooks.delivery_attempt(delivery_id)


@task()
def send_rule_mail(subject: str, body: str, emails: list[str]) -> int:
    return notifications.send_plain(subject, body, emails)
