"""Activity reminders by e-mail: sent once to the owner, on the timeline, refused after the due time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from spona.core.errors import PermissionDenied, ValidationFailed
from spona.core.models import Event, TimelineEntry
from spona.front.crm import services
from spona.front.crm.models import Activity
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import opportunity

pytestmark = pytest.mark.django_db


def test_a_reminder_mails_the_owner_once_and_lands_on_the_timeline(company, sales, django_capture_on_commit_callbacks):
    # given an activity on a party's deal with a reminder that is due, and one whose reminder is later
    org = party(company, "Nova Trade")
    opp = opportunity(company, sales, org, title="Scanners")
    now = timezone.now()
    due = services.activity_create(
        actor=sales, company=company, kind="call", subject="Call Mila", due_at=now + dt.timedelta(hours=1),
        remind_at=now - dt.timedelta(minutes=1), opportunity_id=opp.pk, notes="Ask about March.",
    )  # fmt: skip
    services.activity_create(
        actor=sales, company=company, kind="task", subject="Later", due_at=now + dt.timedelta(days=2),
        remind_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    # when the job runs twice
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_reminders_send(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_reminders_send(now=now + dt.timedelta(minutes=5)) == 0
    # then the owner got one mail about it
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [sales.email] and sent.subject == "Reminder: Call Call Mila"
    assert "Scanners" in sent.body and "Nova Trade" in sent.body and "Ask about March." in sent.body
    assert Activity.objects.get(pk=due.pk).reminded_at == now
    # and the mail is on the party's timeline
    deliver_events()
    assert TimelineEntry.objects.filter(party=org, title=f"E-mail to {sales.email}: Reminder: Call Call Mila").exists()


def test_done_activities_and_rolled_back_runs_send_nothing(company, sales, django_capture_on_commit_callbacks):
    now = timezone.now()
    act = services.activity_create(
        actor=sales, company=company, kind="task", subject="Done early", due_at=now, remind_at=now - dt.timedelta(hours=1)
    )
    services.activity_done(actor=sales, company=company, activity_id=act.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_reminders_send(now=now) == 0
    assert mail.outbox == [] and not Event.objects.filter(name="crm.email_sent").exists()


def test_a_reminder_after_the_due_time_is_refused(company, sales):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as caught:
        services.activity_create(
            actor=sales, company=company, kind="task", subject="X", due_at=now, remind_at=now + dt.timedelta(minutes=1)
        )
    assert "remind_at" in caught.value.field_errors


def test_the_activity_form_takes_a_reminder(client, company, sales):
    client.force_login(sales)
    response = client.post(
        "/crm/activities/new/",
        {"kind": "call", "subject": "Call back", "due_at": "2027-03-10T15:00", "remind_at": "2027-03-10T14:45"},
    )
    assert response.status_code == 302
    activity = Activity.objects.get(subject="Call back")
    assert activity.remind_at == activity.due_at - dt.timedelta(minutes=15)


def test_a_new_reminder_time_sends_again_and_only_the_owner_sets_it(company, sales, django_capture_on_commit_callbacks):
    now = timezone.now()
    act = services.activity_create(
        actor=sales, company=company, kind="call", subject="Call", due_at=now + dt.timedelta(hours=2), remind_at=now
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_reminders_send(now=now)
    # when the owner moves the reminder, it goes out again at the new time
    services.activity_set_reminder(actor=sales, company=company, activity_id=act.pk, remind_at=now + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_reminders_send(now=now + dt.timedelta(minutes=30)) == 0
        assert services.activity_reminders_send(now=now + dt.timedelta(hours=1)) == 1
    assert len(mail.outbox) == 2
    # and another salesperson may not touch it, nor set a time after the due time
    with pytest.raises(PermissionDenied):
        services.activity_set_reminder(actor=member(company, "sales"), company=company, activity_id=act.pk, remind_at=None)
    with pytest.raises(ValidationFailed):
        services.activity_set_reminder(actor=sales, company=company, activity_id=act.pk, remind_at=now + dt.timedelta(hours=3))
