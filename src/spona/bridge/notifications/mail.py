"""E-mail of notifications: one mail per person for "immediately", one daily digest for the rest.

Like every mail of Spona it is sent after commit through the job queue (QUALITY C1): a job
claims what is due by stamping ``emailed_at`` in its transaction, and after commit one task
per person renders and sends that person's mail. Claimed rows are locked while stamped, so
two workers never mail the same notification; a mail the server refuses has its claim undone,
so the next run tries it again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from spona.bridge.notifications.kinds import EmailMode
from spona.bridge.notifications.models import Notification

IMMEDIATE, DIGEST = "immediate", "digest"


def absolute(path: str) -> str:
    """Turn a path inside Spona into a link for an e-mail, on the address set in ``SPONA_BASE_URL``."""
    return settings.SPONA_BASE_URL.rstrip("/") + path if path else ""


@transaction.atomic
def _claim(due: QuerySet[Notification], style: str, now: dt.datetime) -> int:
    """Stamp every due notification as mailed now and queue one mail per person after commit; return how many mails."""
    qs = due.order_by("recipient_id", "created_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding some of them is mailing those: take the others.
        qs = qs.select_for_update(skip_locked=True)
    grouped: dict[int, list[int]] = defaultdict(list)
    for pk, recipient_id in qs.values_list("pk", "recipient_id"):
        grouped[recipient_id].append(pk)
    Notification.objects.filter(pk__in=[pk for pks in grouped.values() for pk in pks]).update(emailed_at=now)
    from spona.bridge.notifications import tasks

    for recipient_id, pks in grouped.items():
        transaction.on_commit(lambda r=recipient_id, p=pks: tasks.send_mail.enqueue(r, p, style))
    return len(grouped)


def queue_immediate(now: dt.datetime | None = None) -> int:
    """Queue a mail for each person with notifications they want at once; return how many mails."""
    due = Notification.objects.filter(email=EmailMode.IMMEDIATELY, emailed_at__isnull=True)
    return _claim(due, IMMEDIATE, now or timezone.now())


def queue_digest(now: dt.datetime | None = None) -> int:
    """Queue each digest reader's unread notifications not mailed yet, one mail per person; return how many.

    Runs daily. A notification read in the app before the digest goes out is left out of it.
    """
    due = Notification.objects.filter(email=EmailMode.DIGEST, emailed_at__isnull=True, read_at__isnull=True)
    return _claim(due, DIGEST, now or timezone.now())


def _message(notifications: list[Notification], style: str) -> EmailMessage:
    recipient = notifications[0].recipient
    companies: dict[str, list[tuple[Notification, str]]] = defaultdict(list)
    for n in notifications:
        companies[n.company.name].append((n, absolute(n.link)))
    context = {
        "user": recipient,
        "count": len(notifications),
        "first": notifications[0],
        "companies": sorted(companies.items()),
        "inbox": absolute(reverse("notifications:inbox")),
        "preferences": absolute(reverse("notifications:preferences")),
    }
    with translation.override(recipient.language or None):
        subject = render_to_string(f"notifications/email/{style}_subject.txt", context)
        body = render_to_string("notifications/email/notifications.txt", context)
    return EmailMessage(" ".join(subject.split())[:200], body, to=[recipient.email])


def send(recipient_id: int, notification_ids: list[int], style: str) -> int:
    """Send one person their claimed notifications in one mail; return 1 when a mail went out.

    A deactivated person or one without an address gets nothing. When the mail server
    refuses, the claim is undone (the next run sends them) and the error is raised.
    """
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, recipient_id=recipient_id)
        .select_related("recipient", "company")
        .order_by("company__name", "created_at", "id")
    )
    if not notifications or not notifications[0].recipient.is_active or not notifications[0].recipient.email:
        return 0
    try:
        return _message(notifications, style).send(fail_silently=False)
    except Exception:
        Notification.objects.filter(pk__in=notification_ids).update(emailed_at=None)
        raise
