"""Background jobs of the notifications app: thin wrappers over its mailers."""

from __future__ import annotations

from spona.bridge.notifications import mail
from spona.tasks import task


@task()
def queue_immediate() -> int:
    return mail.queue_immediate()


@task()
def send_mail(recipient_id: int, notification_ids: list[int], style: str) -> int:
    return mail.send(recipient_id, notification_ids, style)
