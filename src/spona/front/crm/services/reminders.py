"""Activity reminders by e-mail, and the CRM's outgoing mail, which lands on the party's timeline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from spona.core import events
from spona.core.models import Company, Party
from spona.front.crm.models import Activity

BATCH = 200  # reminders per run; the next run (minutes later) takes the rest


def crm_mail_send(
    *, company: Company, to: str, subject: str, body: str, party: Party | None = None, activity_id: int | None = None
) -> None:
    """Send a mail of the CRM once the current transaction commits, and log it on the party's timeline.

    The ``crm.email_sent`` event is written in the same transaction, so a rolled-back change
    neither sends nor logs; the mail goes out only after the commit (never inside it).
    """
    events.publish("crm.email_sent", company=company, party=party, to=to, subject=subject, activity_id=activity_id)
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]))


def activity_reminders_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each activity's owner when its reminder time has come; return how many were sent.

    Runs every few minutes (a scheduled job). Each reminder is sent once: the activity is
    locked and stamped ``reminded_at`` in the transaction that queues the mail; done
    activities and inactive owners get none.
    """
    now = now or timezone.now()
    due = Activity.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done=False).order_by("remind_at", "pk")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            qs = Activity.objects.filter(pk=pk, reminded_at__isnull=True, done=False)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            activity = qs.select_related("company", "owner", "party", "lead", "opportunity").first()
            if activity is None:  # done meanwhile, or another worker has it
                continue
            activity.reminded_at = now
            activity.save(update_fields=["reminded_at", "updated_at"])
            owner = activity.owner
            if not owner.is_active or not owner.email:
                continue
            _remind(activity)
            sent += 1
    return sent


def _remind(activity: Activity) -> None:
    company = activity.company
    local_due = timezone.localtime(activity.due_at, timezone=ZoneInfo(company.time_zone or "UTC"))
    context = {"activity": activity, "company": company, "due": local_due, "about": activity.opportunity or activity.lead}
    with translation.override(activity.owner.language or company.locale):
        subject = render_to_string("crm/email/reminder_subject.txt", context).strip()
        body = render_to_string("crm/email/reminder.txt", context)
    crm_mail_send(
        company=company, to=activity.owner.email, subject=subject, body=body, party=activity.party, activity_id=activity.pk
    )
