"""Leads from e-mail: parse one RFC 5322 message into a lead, and poll each company's IMAP folder.

A company's lead mailbox is configured in the environment, one URL per company code, so that
its password never sits in the database::

    SPONA_CRM_LEADS_IMAP_ACME=imaps://leads%40acme.example:secret@mail.acme.example:993/INBOX

``imaps://`` is IMAP over TLS (port 993), ``imap+tls://`` plain IMAP upgraded with STARTTLS
(143), ``imap://`` plain IMAP (only for a server on loopback). The path is the folder (INBOX by
default). The scheduler polls every few minutes; ``spona crm fetch-leads`` polls at once.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import TYPE_CHECKING, Literal, cast
from urllib.parse import unquote, urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from spona.core import audit, events
from spona.core.errors import ValidationFailed
from spona.core.models import Company
from spona.core.validation import normalise_email
from spona.front.crm.models import Activity, Lead
from spona.front.crm.services.leads import LeadInput, _clean, _create, _rescore

if TYPE_CHECKING:
    from imap_tools import BaseMailBox

logger = logging.getLogger(__name__)

ENV_PREFIX = "SPONA_CRM_LEADS_IMAP_"
NOTES_LIMIT = 5000
FETCH_LIMIT = 200  # messages per mailbox and poll; the next poll takes the rest
# Mail written by machines (out-of-office replies, bounces, lists) is no lead and must not loop.
MACHINE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)

Outcome = Literal["created", "appended", "duplicate", "skipped"]


@dataclass
class MailLead:
    """What one message did: a new lead, a note on the sender's open lead, nothing (seen or machine mail)."""

    outcome: Outcome
    lead: Lead | None
    attachments: int = 0
    reason: str = ""


@dataclass
class ParsedMail:
    """The parts of a message a lead needs."""

    message_id: str
    name: str
    address: str
    subject: str
    body: str
    attachments: int
    automatic: bool


def html_to_text(markup: str) -> str:
    """The visible text of an HTML body: nh3 drops every tag (scripts and styles with their content)."""
    marked = BLOCK_END.sub(lambda m: "\n" + m.group(0), markup)
    text = html.unescape(nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head", "title"}))
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def parse_message(message: bytes) -> ParsedMail:
    """Read sender, subject, text body and attachment count of an RFC 5322 message.

    The reply address wins over the sender's (web forms mail on a visitor's behalf); the plain
    text part wins over the HTML one, which is reduced to its text. Attachments are counted, not kept.
    """
    # With the default policy the parser builds EmailMessage objects (get_body, iter_attachments).
    msg = cast(EmailMessage, message_from_bytes(message, policy=policy.default))
    senders = getaddresses([str(msg.get("Reply-To", "")) or str(msg.get("From", ""))])
    name, address = senders[0] if senders else ("", "")
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        try:
            content = body_part.get_content()
        except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
            content = body_part.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
        body = html_to_text(content) if body_part.get_content_type() == "text/html" else content.strip()
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    return ParsedMail(
        message_id=str(msg.get("Message-ID", "")).strip()[:255],
        name=name.strip(),
        address=address.strip(),
        subject=" ".join(str(msg.get("Subject", "")).split()),
        body=body,
        attachments=sum(1 for _ in msg.iter_attachments()),
        automatic=auto != "no" or precedence in ("bulk", "junk", "list") or bool(MACHINE_SENDERS.match(address)),
    )


def _notes(mail: ParsedMail) -> str:
    text = f"{mail.subject}\n\n{mail.body}".strip() if mail.subject else mail.body
    if mail.attachments:
        text += f"\n\n({mail.attachments} attachment(s) not kept)"
    return text[:NOTES_LIMIT]


@transaction.atomic
def lead_from_email(*, company: Company, message: bytes) -> MailLead:
    """Turn an e-mail into a lead of ``company`` (source e-mail, scored and assigned like any lead).

    The same message twice (same Message-ID) does nothing the second time. Mail from an address
    that already has an open lead is recorded on that lead, as a done e-mail activity of its
    owner (or in its notes when it has none), instead of a duplicate lead; the lead page lists
    the parties that look like the sender. Automatic mail (auto-replies, bounces, lists) is
    skipped. Raises ValidationFailed when the sender's address is not a valid e-mail address.
    """
    mail = parse_message(message)
    if mail.automatic:
        return MailLead("skipped", None, mail.attachments, "automatic mail")
    try:
        address = normalise_email(mail.address)
    except ValidationError:
        raise ValidationFailed(
            "The message has no valid sender address.", field_errors={"from": [mail.address or "missing"]}
        ) from None
    if mail.message_id:
        seen = Lead.objects.filter(company=company, message_id=mail.message_id).first()
        activity = Activity.objects.filter(company=company, message_id=mail.message_id).select_related("lead").first()
        if seen is not None or activity is not None:
            return MailLead("duplicate", seen or activity.lead, mail.attachments, "message seen before")  # type: ignore[union-attr]
    existing = (
        Lead.objects.select_for_update()
        .filter(company=company, email=address, status__in=(Lead.Status.NEW, Lead.Status.CONTACTED))
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        _append(company, existing, mail)
        return MailLead("appended", existing, mail.attachments)
    values = _clean(
        company,
        LeadInput(contact_name=mail.name[:200] or address, email=address, source=Lead.Source.EMAIL, notes=_notes(mail)),
    )
    lead = _create(company, values, None)
    lead.message_id = mail.message_id
    lead.save(update_fields=["message_id"])
    return MailLead("created", lead, mail.attachments)


def _append(company: Company, lead: Lead, mail: ParsedMail) -> None:
    if lead.owner_id is None:
        lead.notes = f"{lead.notes}\n\n---\n{_notes(mail)}".strip()[: NOTES_LIMIT * 4]
        lead.message_id = mail.message_id
        lead.version += 1
        lead.save(update_fields=["notes", "message_id", "version", "updated_at"])
        audit.record(actor=None, target=lead, action="mail_received")
        return
    now = timezone.now()
    activity = Activity.objects.create(
        company=company,
        kind=Activity.Kind.EMAIL,
        subject=(mail.subject or "E-mail")[:200],
        notes=_notes(mail),
        due_at=now,
        owner_id=lead.owner_id,
        lead=lead,
        done=True,
        done_at=now,
        message_id=mail.message_id,
    )
    audit.record(actor=None, target=activity, action="created")
    events.publish(
        "crm.activity_done",
        company=company,
        activity_id=activity.pk,
        kind=activity.get_kind_display(),
        subject=activity.subject,
        due_at=activity.due_at.isoformat(),
    )
    _rescore(lead)
    lead.save(update_fields=["score", "score_reasons", "updated_at"])


# The IMAP poll ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailbox:
    """Where a company's lead mail waits: server, login and folder (from its environment URL)."""

    scheme: str
    host: str
    port: int
    username: str
    password: str
    folder: str


def mailbox_for(company: Company) -> Mailbox | None:
    """The company's lead mailbox from ``SPONA_CRM_LEADS_IMAP_<CODE>``, or None when it has none.

    Raises ValueError for a URL that cannot be used (unknown scheme, no host or login).
    """
    name = ENV_PREFIX + re.sub(r"[^A-Z0-9]", "_", company.code.upper())
    url = os.environ.get(name, "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    ports = {"imaps": 993, "imap+tls": 143, "imap": 143}
    if parts.scheme not in ports:
        raise ValueError(f"{name}: use imaps://, imap+tls:// or imap://, not {parts.scheme!r}")
    if not parts.hostname or not parts.username:
        raise ValueError(f"{name}: give user:password@host")
    return Mailbox(
        scheme=parts.scheme,
        host=parts.hostname,
        port=parts.port or ports[parts.scheme],
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


@dataclass
class FetchReport:
    """What a poll of one company's mailbox did, message by message."""

    company: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    def __str__(self) -> str:
        done = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items())) or "no new mail"
        return f"{self.company}: {done}" + (f"; {len(self.errors)} error(s)" if self.errors else "")


def _connect(box: Mailbox) -> BaseMailBox:
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    kinds = {"imaps": MailBox, "imap+tls": MailBoxStartTls, "imap": MailBoxUnencrypted}
    return kinds[box.scheme](box.host, box.port, timeout=30).login(box.username, box.password, initial_folder=box.folder)


def leads_fetch_company(*, company: Company) -> FetchReport:
    """Poll one company's lead mailbox: each unseen message becomes a lead (or a note), then is marked seen.

    Each message is imported in its own transaction and flagged seen only after it committed,
    so a crash in between makes the next poll see it again, and its Message-ID makes that a
    no-op. A message that cannot be read is flagged seen too (reported, not retried for ever).
    """
    from imap_tools import AND, MailboxLoginError

    report = FetchReport(company=company.code)
    box = mailbox_for(company)
    if box is None:
        return report
    try:
        with _connect(box) as imap:
            for msg in imap.fetch(AND(seen=False), mark_seen=False, limit=FETCH_LIMIT, bulk=20):
                try:
                    result = lead_from_email(company=company, message=msg.obj.as_bytes())
                except ValidationFailed as exc:
                    report.errors.append(f"message {msg.uid}: {exc.message}")
                    report.add("refused")
                else:
                    report.add(result.outcome)
                if msg.uid:
                    imap.flag(msg.uid, "\\Seen", True)
    except (MailboxLoginError, OSError) as exc:
        report.errors.append(f"{box.host}: {exc}")
    return report


def leads_fetch() -> str:
    """Poll every active company's lead mailbox (the scheduled job); return one line per mailbox."""
    lines = []
    for company in Company.objects.filter(is_active=True).order_by("code"):
        try:
            if mailbox_for(company) is None:
                continue
        except ValueError as exc:
            logger.error("%s", exc)
            lines.append(f"{company.code}: {exc}")
            continue
        report = leads_fetch_company(company=company)
        for error in report.errors:
            logger.warning("Lead mail of %s: %s", company.code, error)
        lines.append(str(report))
    return "; ".join(lines) or "no lead mailboxes"
