"""E-mail in and out, against real servers: our aiosmtpd receiver, an SMTP sink as the customer's
mailbox, and Dovecot for IMAP polling."""

from __future__ import annotations

import os
import shutil
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from spona.core import services as core_services
from spona.core.models import ContactPoint, Party
from spona.front.support import services
from spona.front.support.mailserver import ImapSource, controller, imap_poll
from spona.front.support.models import Attachment, InboundMail, Message, Ticket
from tests.factories import party
from tests.front.support.factories import mail, policy
from tests.front.support.mailhelpers import Dovecot, Sink, free_port


@pytest.fixture
def sink(settings):
    """The customer's mail server: Spona's outbound replies go here over SMTP."""
    server = Sink()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Acme Support <help@acme.test>"
    yield server
    server.controller.stop()


@pytest.fixture
def receiver(company):
    """Spona's inbound SMTP server (what ``spona mail-in`` runs)."""
    port = free_port()
    server = controller(host="127.0.0.1", port=port, default_company_id=company.pk)
    server.start()
    yield port
    server.stop()


def smtp_send(port: int, raw: bytes, to: str = "help@acme.test") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("jovana@bora.rs", [to], raw)


@pytest.mark.django_db(transaction=True)
def test_a_mail_becomes_a_ticket_the_reply_is_threaded_and_the_answer_lands_on_it(company, admin, agent, sink, receiver):
    # given a customer organisation with its contact person, and an SLA
    org = party(company, "Bora Trade d.o.o.", roles=["customer"])
    person = party(company, "Jovana Petrović", kind="person", emails=["jovana@bora.rs"])
    core_services.party_link(actor=admin, company=company, from_party_id=person.pk, to_party_id=org.pk, kind="works_at")
    sla = policy(company, first=60)
    # when she writes to support over SMTP
    first = mail(subject="Invoice is wrong")
    smtp_send(receiver, first)
    # then a ticket is opened for her organisation, with her as contact, and the SLA applies
    ticket = Ticket.objects.get(company=company)
    assert (ticket.party, ticket.contact, ticket.channel, ticket.sla_policy) == (org, person, "email", sla)
    original_id = ticket.messages.get().message_id
    assert original_id.startswith("<") and original_id.endswith("@bora.rs>")
    # when an agent replies
    reply = services.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="We are on it.")
    # then she receives it through SMTP, threaded under her mail, with the ticket reference in the subject
    (received,) = sink.wait_for(1)
    assert received["To"] == "jovana@bora.rs"
    assert f"[{ticket.number}]" in received["Subject"]
    assert received["Message-ID"] == reply.message_id
    assert received["In-Reply-To"] == original_id
    assert original_id in received["References"]
    assert Message.objects.get(pk=reply.pk).sent_at is not None
    # when she answers that mail (her client sets In-Reply-To to our reply), then it lands on the ticket
    answer = mail(subject=f"Re: {received['Subject']}", text="Thanks!", headers={"In-Reply-To": reply.message_id})
    smtp_send(receiver, answer)
    assert Ticket.objects.filter(company=company).count() == 1
    assert ticket.messages.filter(kind="customer").count() == 2
    assert list(InboundMail.objects.order_by("id").values_list("outcome", flat=True)) == ["created", "replied"]


@pytest.mark.django_db(transaction=True)
def test_the_lmtp_receiver_takes_mail_too(company):
    port = free_port()
    server = controller(host="127.0.0.1", port=port, default_company_id=company.pk, lmtp=True)
    server.start()
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            client.sendmail("jovana@bora.rs", ["help@acme.test"], mail(subject="Via LMTP"))
    finally:
        server.stop()
    assert Ticket.objects.get(company=company).subject == "Via LMTP"


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("Jovana <jovana@bora.rs>", {"Auto-Submitted": "auto-replied"}),
        ("Jovana <jovana@bora.rs>", {"Precedence": "bulk"}),
        ("Jovana <jovana@bora.rs>", {"X-Auto-Response-Suppress": "All"}),
        ("Mail Delivery System <MAILER-DAEMON@bora.rs>", {}),
        ("Newsletter <news@bora.rs>", {"List-Id": "<news.bora.rs>"}),
    ],
)
def test_auto_replies_and_bounces_never_make_tickets(company, sender, headers):
    result = services.mail_receive(company=company, raw=mail(sender=sender, headers=headers))
    assert result.outcome == InboundMail.Outcome.AUTO
    assert not Ticket.objects.exists()


def test_the_same_mail_twice_makes_one_ticket(company):
    raw = mail()
    assert services.mail_receive(company=company, raw=raw).outcome == "created"
    assert services.mail_receive(company=company, raw=raw).outcome == "duplicate"
    assert Ticket.objects.count() == 1


def test_a_sender_over_the_hourly_limit_is_dropped(company, settings):
    settings.SUPPORT_MAIL_RATE_PER_HOUR = 3
    outcomes = [services.mail_receive(company=company, raw=mail(subject=f"Spam {n}")).outcome for n in range(5)]
    assert outcomes == ["created", "created", "created", "limited", "limited"]


def test_an_unknown_sender_becomes_a_person_and_a_known_one_is_found(company):
    services.mail_receive(company=company, raw=mail(sender="Nova Kupčić <nova@example.org>"))
    ticket = Ticket.objects.get()
    assert ticket.party.name == "Nova Kupčić" and ticket.party.kind == "person"
    assert ContactPoint.objects.filter(party=ticket.party, value="nova@example.org").exists()
    services.mail_receive(company=company, raw=mail(sender="nova@example.org", subject="Second question"))
    assert Party.objects.filter(company=company, name="Nova Kupčić").count() == 1
    assert Ticket.objects.filter(party=ticket.party).count() == 2


def test_the_subject_reference_threads_only_for_the_tickets_own_people(company):
    services.mail_receive(company=company, raw=mail(sender="jovana@bora.rs"))
    ticket = Ticket.objects.get()
    same = services.mail_receive(company=company, raw=mail(sender="jovana@bora.rs", subject=f"Re: [{ticket.number}] more"))
    assert same.ticket_id == ticket.pk and same.outcome == "replied"
    stranger = services.mail_receive(company=company, raw=mail(sender="eve@evil.example", subject=f"[{ticket.number}] hi"))
    assert stranger.outcome == "created" and stranger.ticket_id != ticket.pk


def test_mail_attachments_are_kept_and_dangerous_ones_dropped_with_a_note(company):
    raw = mail(
        html="<p>See <b>attached</b><script>alert(1)</script></p>",
        attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4"), ("page.html", "text/html", b"<script>x</script>")],
    )
    services.mail_receive(company=company, raw=raw)
    message = Message.objects.get()
    assert "<b>attached</b>" in message.body_html and "script" not in message.body_html
    assert [a.filename for a in Attachment.objects.all()] == ["scan.pdf"]
    assert "[not kept] page.html" in message.body_text


def test_a_mail_to_a_queue_address_goes_to_that_queue(company):
    billing = services.queue_create(actor=None, company=company, name="Billing", email="billing@acme.test")
    services.mail_receive(company=company, raw=mail(to="Billing <billing@acme.test>"))
    assert Ticket.objects.get().queue == billing


@pytest.fixture
def dovecot():
    if not Dovecot.available():
        if os.environ.get("CI"):
            pytest.fail("dovecot-imapd is missing: scripts/system-deps.sh installs it")
        pytest.skip("needs Debian's dovecot-imapd (scripts/system-deps.sh)")
    # Dovecot's mail processes run as an unprivileged user, so its directory must be reachable
    # for them (pytest's tmp_path is private to the user running the tests).
    root = Path(tempfile.mkdtemp(prefix="spona-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root / "server")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_imap_polling_turns_unseen_mail_into_tickets_once(company, dovecot):
    # given two mails waiting in the support mailbox of a real IMAP server
    dovecot.deliver("help", mail(subject="First by IMAP"), 1)
    dovecot.deliver("help", mail(subject="Second by IMAP", sender="Mika <mika@example.org>"), 2)
    source = ImapSource.from_url(f"imap://help:secret@127.0.0.1:{dovecot.port}/INBOX?company=acme")
    # when support polls it twice
    assert imap_poll(source=source, company=company) == 2
    assert imap_poll(source=source, company=company) == 0
    # then each became one ticket
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First by IMAP", "Second by IMAP"]


def test_a_reply_that_could_not_be_sent_goes_out_with_the_retry_job(company, agent, sink, settings):
    ticket = services.ticket_create(
        actor=agent, company=company, data=services.TicketInput(subject="Hi", text="x", requester_email="jovana@bora.rs")
    )
    reply = services.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="Answer")
    # the test's transaction never commits, so the after-commit send did not run: the job sends it
    assert services.send_pending_replies(older_than_seconds=0) == 1
    assert services.send_pending_replies(older_than_seconds=0) == 0
    (received,) = sink.wait_for(1)
    assert received["Message-ID"] == reply.message_id
    assert isinstance(received, EmailMessage)


QUERIES_PER_REPLY = 16


def test_a_reply_by_mail_costs_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    # given a ticket opened by mail from a known customer
    party(company, "Bora Trade d.o.o.", emails=["jovana@bora.rs"])
    services.mail_receive(company=company, raw=mail())
    first = Message.objects.get()
    # when the customer answers it (In-Reply-To), then the reply is found, locked and added in a bounded
    # number of queries (the bench's mail-in rate depends on it): the ticket is read once to find and
    # lock it, and once more for the columns the search index keeps (written in the same transaction)
    with django_assert_max_num_queries(QUERIES_PER_REPLY) as captured:
        outcome = services.mail_receive(company=company, raw=mail(headers={"In-Reply-To": first.message_id}))
    assert outcome.outcome == "replied"
    assert sum('FROM "support_ticket"' in q["sql"] for q in captured.captured_queries) == 2
