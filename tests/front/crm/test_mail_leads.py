"""Leads from e-mail: real RFC 5322 messages through the parser and the service, the mailbox URL,
the command, and the poll against a real Dovecot IMAP server started by the test (when installed)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from imap_tools import AND, MailBoxUnencrypted

from spona.core.errors import ValidationFailed
from spona.core.models import Event
from spona.front.crm import services
from spona.front.crm.models import Activity, Lead
from spona.front.crm.services.mail import html_to_text, mailbox_for, parse_message
from tests.front.support.mailhelpers import Dovecot

pytestmark = pytest.mark.django_db

PLAIN = b"""From: =?utf-8?q?Mila_Ili=C4=87?= <Mila@Nova.rs>
To: leads@spona.example
Subject: Offer for 40 scanners
Message-ID: <m1@nova.rs>
Date: Thu, 03 Dec 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hello, we need 40 scanners by March.
Mila
"""

HTML_WITH_ATTACHMENTS = b"""From: Web site <forms@acme.example>
Reply-To: Petar Petrovic <petar@gradnja.rs>
To: leads@spona.example
Subject: =?utf-8?q?Upit_sa_sajta?=
Message-ID: <m2@acme.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/html; charset=utf-8

<html><head><title>t</title><style>p{color:red}</style></head><body>
<p>Need a <b>quote</b> &amp; a call.</p><script>alert(1)</script><p>Thanks</p></body></html>
--XX
Content-Type: application/pdf; name="plan.pdf"
Content-Disposition: attachment; filename="plan.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--XX
Content-Type: image/png; name="logo.png"
Content-Disposition: attachment; filename="logo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--XX--
"""


def message(sender: str = "Mila Ilić <mila@nova.rs>", subject: str = "Again", **headers: str) -> bytes:
    message_id = "<m3@nova.rs>"
    extra = "".join(f"{k.replace('_', '-')}: {v}\n" for k, v in headers.items())
    return (
        f"From: {sender}\nTo: leads@spona.example\nSubject: {subject}\nMessage-ID: {message_id}\n{extra}"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nA follow-up.\n"
    ).encode()


def test_a_plain_message_is_parsed_with_its_encoded_sender_name():
    mail = parse_message(PLAIN)
    assert (mail.name, mail.address, mail.subject) == ("Mila Ilić", "Mila@Nova.rs", "Offer for 40 scanners")
    assert mail.body.startswith("Hello, we need 40 scanners") and mail.attachments == 0 and not mail.automatic


def test_an_html_message_is_reduced_to_its_text_and_attachments_are_counted():
    mail = parse_message(HTML_WITH_ATTACHMENTS)
    # the reply address is the visitor's, not the web site's
    assert (mail.name, mail.address, mail.subject) == ("Petar Petrovic", "petar@gradnja.rs", "Upit sa sajta")
    assert mail.body == "Need a quote & a call.\nThanks"
    assert "alert" not in mail.body and "color" not in mail.body
    assert mail.attachments == 2


def test_html_to_text_keeps_no_markup():
    assert html_to_text('<p onclick="x()">a<br>b</p><img src=x onerror=alert(1)>') == "a\nb"


def test_a_mail_becomes_a_scored_lead_from_the_email_source(company):
    # when the message arrives
    result = services.lead_from_email(company=company, message=PLAIN)
    # then one lead is captured with the sender, the mail as notes, and the e-mail source's points
    lead = result.lead
    assert result.outcome == "created" and lead is not None
    assert (lead.contact_name, lead.email, lead.source) == ("Mila Ilić", "mila@nova.rs", "email")
    assert lead.notes.startswith("Offer for 40 scanners\n\nHello, we need 40 scanners")
    assert {"points": 5, "reason": "source: E-mail"} in lead.score_reasons
    assert Event.objects.filter(name="crm.lead_created", payload__lead_id=lead.pk, payload__source="email").exists()


def test_the_same_message_twice_makes_one_lead(company):
    first = services.lead_from_email(company=company, message=PLAIN)
    again = services.lead_from_email(company=company, message=PLAIN)
    assert (again.outcome, again.lead) == ("duplicate", first.lead)
    assert Lead.objects.filter(company=company).count() == 1


def test_a_second_mail_of_an_open_leads_sender_is_logged_on_that_lead(company, sales):
    # given an open lead of mila@nova.rs owned by a salesperson
    first = services.lead_from_email(company=company, message=PLAIN).lead
    Lead.objects.filter(pk=first.pk).update(owner=sales)
    # when she writes again (different message)
    result = services.lead_from_email(company=company, message=message(subject="Any news?"))
    # then no second lead: a done e-mail activity of the owner on her lead, which is rescored
    assert (result.outcome, result.lead.pk) == ("appended", first.pk)
    assert Lead.objects.filter(company=company).count() == 1
    activity = Activity.objects.get(lead=first)
    assert (activity.kind, activity.subject, activity.owner, activity.done) == ("email", "Any news?", sales, True)
    assert {"points": 5, "reason": "1 activities logged"} in Lead.objects.get(pk=first.pk).score_reasons
    # and the same follow-up fetched again is not logged twice
    assert services.lead_from_email(company=company, message=message(subject="Any news?")).outcome == "duplicate"
    assert Activity.objects.filter(lead=first).count() == 1


def test_a_second_mail_to_an_unowned_lead_goes_to_its_notes(company):
    first = services.lead_from_email(company=company, message=PLAIN).lead
    assert first.owner is None  # no assignment rules in this company
    services.lead_from_email(company=company, message=message(subject="Any news?"))
    assert "---\nAny news?\n\nA follow-up." in Lead.objects.get(pk=first.pk).notes


def test_a_closed_lead_of_the_sender_does_not_swallow_a_new_request(company, sales):
    first = services.lead_from_email(company=company, message=PLAIN).lead
    services.lead_set_status(actor=sales, company=company, lead_id=first.pk, status="disqualified", reason="Student")
    assert services.lead_from_email(company=company, message=message()).outcome == "created"


@pytest.mark.parametrize(
    "headers",
    [{"Auto_Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"sender": "MAILER-DAEMON@mx.example"}],
)
def test_machine_mail_is_skipped(company, headers):
    sender = headers.pop("sender", "Mila <mila@nova.rs>")
    result = services.lead_from_email(company=company, message=message(sender=sender, **headers))
    assert (result.outcome, result.lead) == ("skipped", None)
    assert not Lead.objects.filter(company=company).exists()


def test_a_message_without_a_valid_sender_is_refused(company):
    with pytest.raises(ValidationFailed):
        services.lead_from_email(company=company, message=message(sender="nobody"))
    assert not Lead.objects.filter(company=company).exists()


def test_the_mailbox_comes_from_the_company_url_in_the_environment(company, monkeypatch):
    name = "SPONA_CRM_LEADS_IMAP_" + company.code.upper().replace("-", "_")
    assert mailbox_for(company) is None
    monkeypatch.setenv(name, "imaps://leads%40acme.example:s%3Acret@mail.acme.example/Leads")
    box = mailbox_for(company)
    assert (box.scheme, box.host, box.port, box.username, box.password, box.folder) == (
        "imaps", "mail.acme.example", 993, "leads@acme.example", "s:cret", "Leads"
    )  # fmt: skip
    monkeypatch.setenv(name, "pop3://u:p@host")
    with pytest.raises(ValueError, match="imaps://"):
        mailbox_for(company)


def test_fetch_leads_without_mailboxes_does_nothing(company, capsys):
    assert services.leads_fetch() == "no lead mailboxes"
    call_command("crm", "fetch-leads", "--company", company.code)
    assert "no lead mailbox" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No active company"):
        call_command("crm", "fetch-leads", "--company", "nope")


def test_an_unreachable_mailbox_is_reported_not_raised(company, monkeypatch):
    # given a mailbox URL pointing at a closed port on loopback
    monkeypatch.setenv("SPONA_CRM_LEADS_IMAP_" + company.code.upper().replace("-", "_"), "imap://u:p@127.0.0.1:1/INBOX")
    # when the command polls it
    with pytest.raises(CommandError, match="could not be read"):
        call_command("crm", "fetch-leads")
    # then nothing was imported
    assert not Lead.objects.filter(company=company).exists()


@pytest.fixture
def dovecot():
    if not Dovecot.available():
        if os.environ.get("CI"):
            pytest.fail("dovecot-imapd is missing: scripts/system-deps.sh installs it")
        pytest.skip("needs Debian's dovecot-imapd (scripts/system-deps.sh)")
    # Dovecot's mail processes run unprivileged, so its directory must be readable by them.
    root = Path(tempfile.mkdtemp(prefix="spona-crm-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root / "server")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_polling_a_real_imap_folder_makes_leads_once_and_marks_mail_seen(company, dovecot, monkeypatch, capsys):
    # given three unseen messages in the lead mailbox: a request, an auto-reply and the request's follow-up
    dovecot.deliver("leads", PLAIN, 1)
    dovecot.deliver("leads", message(sender="Mila <mila@nova.rs>", Auto_Submitted="auto-replied"), 2)
    dovecot.deliver("leads", HTML_WITH_ATTACHMENTS, 3)
    env = "SPONA_CRM_LEADS_IMAP_" + company.code.upper().replace("-", "_")
    monkeypatch.setenv(env, f"imap://leads:secret@127.0.0.1:{dovecot.port}/INBOX")
    # when the command polls it
    call_command("crm", "fetch-leads", "--company", company.code)
    # then two leads were made, the auto-reply skipped, and every message is marked seen
    assert "1 skipped" in capsys.readouterr().out
    assert sorted(Lead.objects.filter(company=company).values_list("email", "source")) == [
        ("mila@nova.rs", "email"), ("petar@gradnja.rs", "email")
    ]  # fmt: skip
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login("leads", "secret") as imap:
        assert list(imap.fetch(AND(seen=False), mark_seen=False)) == []
        assert len(list(imap.fetch(mark_seen=False))) == 3
    # and a second poll (also the scheduled job's) finds nothing new
    assert services.leads_fetch() == f"{company.code}: no new mail"
    assert Lead.objects.filter(company=company).count() == 2
