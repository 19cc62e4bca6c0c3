"""E-mail over real SMTP (an aiosmtpd sink): the daily digest, immediate mails, and a refusing server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spona.bridge.notifications import mail, services
from spona.bridge.notifications.models import Notification
from spona.core import schedule
from spona.core.models import Membership
from tests.factories import member
from tests.front.support.mailhelpers import Sink, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    """The staff's mail server: notification mails go here over SMTP."""
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SPONA_BASE_URL = "https://spona.acme.test"
    yield server
    server.controller.stop()


def prefer(user, company, kind, email):
    services.preferences_save(user=user, company=company, preferences=[services.PreferenceIn(kind, True, email)])


def tell(company, user, title, kind="automation", link=""):
    services.notify(company=company, kind=kind, user_ids=[user.pk], title=title, body=f"About {title}.", link=link)


def test_the_daily_digest_mails_each_person_their_unread_notifications_once(
    company, other_company, sink, django_capture_on_commit_callbacks
):
    # given a person with two unread notifications in two companies and one read, and a person who wants no mail
    ana = member(company, "sales", email="ana@acme.test", full_name="Ana")
    Membership.objects.create(user=ana, company=other_company, role="sales")
    quiet = member(company, "sales", email="quiet@acme.test")
    prefer(quiet, company, "automation", "never")
    tell(company, ana, "Call Nova Trade", link="/crm/")
    tell(other_company, ana, "Globex order late")
    tell(company, ana, "Old news")
    old = Notification.objects.get(title="Old news")
    services.notification_mark_read(user=ana, company=company, notification_id=old.pk)
    tell(company, quiet, "Not for mail")
    # when the daily job runs
    assert schedule.JOBS["notifications.digest"] == schedule.Job("notifications.digest", timedelta(days=1), mail.queue_digest)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.queue_digest() == 1
    # then Ana gets one mail over SMTP with both unread notifications, grouped by company, with links
    messages = sink.wait_for(1)
    assert [m["To"] for m in messages] == ["ana@acme.test"]
    assert messages[0]["Subject"] == "Spona digest: 2 unread notifications"
    body = messages[0].get_content().replace("\r\n", "\n")
    assert "== Acme d.o.o. ==" in body and "== Globex Ltd ==" in body
    assert "- Call Nova Trade\n  About Call Nova Trade.\n  https://spona.acme.test/crm/" in body
    assert "Old news" not in body and "https://spona.acme.test/notifications/preferences/" in body
    # and both are marked as mailed, so the next digest does not repeat them
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.queue_digest(timezone.now() + timedelta(days=1)) == 0
    assert len(sink.messages) == 1


def test_a_person_who_wants_it_at_once_gets_a_mail_right_after_commit(company, sink, django_capture_on_commit_callbacks):
    # given an agent who wants assigned tickets at once
    agent = member(company, "support", email="agent@acme.test")
    prefer(agent, company, "ticket_assigned", "immediately")
    # when they are notified
    with django_capture_on_commit_callbacks(execute=True):
        tell(company, agent, "Ticket T-1 was assigned to you", kind="ticket_assigned", link="/support/tickets/1/")
    # then the mail goes out after commit, once
    [message] = sink.wait_for(1)
    assert (message["To"], message["Subject"]) == ("agent@acme.test", "Ticket T-1 was assigned to you")
    assert "https://spona.acme.test/support/tickets/1/" in message.get_content()
    assert Notification.objects.get().emailed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.queue_immediate() == 0


def test_a_refusing_mail_server_leaves_the_digest_for_the_next_run(company, settings, django_capture_on_commit_callbacks):
    # given a notification waiting for the digest, and no mail server listening
    ana = member(company, "sales", email="ana@acme.test")
    tell(company, ana, "Call Nova Trade")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    # when the digest runs
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.queue_digest() == 1
    # then the mail failed and the notification waits, unmailed, for the next digest
    assert Notification.objects.get().emailed_at is None
