"""The conversation of a ticket: agents' replies and notes, customers' messages, attachments, and
the outbound e-mail of a reply (sent after commit, threaded by Message-ID, In-Reply-To, References)."""

from __future__ import annotations

import logging
import mimetypes
import re
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.front.support import bodies
from spona.front.support.models import Attachment, Message, Ticket
from spona.front.support.services import sla
from spona.front.support.services.common import agent, locked, news, publish, publish_together

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Types an agent can open without risk; HTML and SVG are refused (they run script when opened inline).
ALLOWED_TYPES = frozenset(
    {
        "application/pdf", "application/zip", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain",
        "text/csv", "application/msword", "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    }
)  # fmt: skip
REFERENCE = re.compile(r"\[(T-\d{4,})\]")


@dataclass(frozen=True)
class AttachmentIn:
    """A file given with a message."""

    filename: str
    content_type: str
    content: bytes


def safe_filename(name: str) -> str:
    """A file name without directories or odd characters (SEC8), never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    cleaned = get_valid_filename(base)[:150] if base else ""
    return cleaned or "attachment"


def _accepted(files: list[AttachmentIn], *, strict: bool) -> tuple[list[AttachmentIn], list[str]]:
    """The files the rules accept (named safely, with their checked type), and why the others were
    refused; with ``strict`` a refused file is an error instead."""
    accepted, skipped = [], []
    if strict and len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"At most {MAX_ATTACHMENTS} files.", field_errors={"attachments": ["Too many files."]})
    for item in files[:MAX_ATTACHMENTS]:
        name = safe_filename(item.filename)
        ctype = (item.content_type or mimetypes.guess_type(name)[0] or "").split(";")[0].strip().lower()
        problem = ""
        if ctype not in ALLOWED_TYPES:
            problem = f"{name}: files of type {ctype or 'unknown'} are not accepted."
        elif len(item.content) > MAX_ATTACHMENT_BYTES:
            problem = f"{name}: larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
        elif not item.content:
            problem = f"{name}: empty file."
        if problem:
            if strict:
                raise ValidationFailed(problem, field_errors={"attachments": [problem]})
            skipped.append(problem)
            continue
        accepted.append(AttachmentIn(filename=name, content_type=ctype, content=item.content))
    return accepted, skipped


def _store(message: Message, files: list[AttachmentIn]) -> None:
    """Store accepted files under generated names (never the sender's) and record them in one insert."""
    rows = []
    for item in files:
        stored = f"{uuid.uuid4().hex}{mimetypes.guess_extension(item.content_type) or ''}"
        attachment = Attachment(message=message, filename=item.filename, content_type=item.content_type, size=len(item.content))
        attachment.file.save(stored, ContentFile(item.content), save=False)
        rows.append(attachment)
    Attachment.objects.bulk_create(rows)


def _body(text: str, html: str) -> tuple[str, str]:
    clean = bodies.clean_html(html) if html.strip() else bodies.text_to_html(text)
    plain = text.strip() or bodies.html_to_text(clean)
    if not plain and not clean:
        raise ValidationFailed("Write a message.", field_errors={"body": ["Empty message."]})
    return clean, plain


def mail_domain() -> str:
    configured = getattr(settings, "SUPPORT_MAIL_DOMAIN", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "spona.localhost"


def subject_with_reference(ticket: Ticket) -> str:
    return f"[{ticket.number}] {ticket.subject}"


@service_atomic
def ticket_reply(
    *,
    actor: User,
    company: Company,
    ticket_id: int,
    text: str = "",
    html: str = "",
    note: bool = False,
    status: str = "",
    attachments: list[AttachmentIn] | None = None,
) -> Message:
    """Add an agent's public reply (e-mailed to the requester after commit) or internal note.

    A public reply meets the first- or next-response target. ``status`` (optional) moves the
    ticket on in the same step, e.g. to pending-customer. A note's @mentions are resolved to
    company members. Raises StateError on a closed or merged ticket.
    """
    agent(actor, company)
    ticket = locked(company, ticket_id)
    if ticket.status == Ticket.Status.CLOSED:
        raise StateError("This ticket is closed; open a follow-up ticket instead.")
    body_html, body_text = _body(text, html)
    now = timezone.now()
    files, _ = _accepted(attachments or [], strict=True)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.NOTE if note else Message.Kind.REPLY,
        author=actor,
        body_html=body_html,
        body_text=body_text,
        message_id="" if note else make_msgid(domain=mail_domain()),
    )
    _store(message, files)
    if note:
        _mention(company, message, body_text)
        audit.record(actor=actor, target=ticket, action="noted", changes={"message": [None, message.pk]})
        ticket.save(update_fields=["updated_at"])
        return message
    sla.on_agent_reply(ticket, now)
    if ticket.status == Ticket.Status.NEW:
        ticket.status = Ticket.Status.OPEN
    if ticket.assignee_id is None:
        ticket.assignee = actor
    ticket.version += 1
    ticket.save()
    audit.record(actor=actor, target=ticket, action="replied", changes={"message": [None, message.pk]})
    publish("support.ticket_replied", ticket, actor, message_id=message.pk, kind=message.kind)
    if ticket.requester_email:
        transaction.on_commit(lambda: send_reply(message.pk))
    if status and status != ticket.status:
        from spona.front.support.services.tickets import ticket_set_status

        ticket_set_status(actor=actor, company=company, ticket_id=ticket.pk, status=status)
    return message


def _mention(company: Company, message: Message, text: str) -> None:
    handles = bodies.mentions(text)
    if not handles:
        return
    query = Q()
    for handle in handles:
        query |= Q(email__iexact=handle) if "@" in handle else Q(email__istartswith=f"{handle}@")
    users = User.objects.filter(query, memberships__company=company, is_active=True).distinct()
    message.mentions.set(users)


def customer_message(
    *,
    company: Company,
    ticket: Ticket,
    text: str = "",
    html: str = "",
    from_email: str = "",
    party: Party | None = None,
    message_id: str = "",
    attachments: list[AttachmentIn] | None = None,
    strict: bool = True,
) -> Message:
    """Add the customer's message to a ticket (locked by the caller, inside its transaction).

    A solved ticket opens again; one waiting on the customer goes back to the agents, with
    its SLA clock running again and a next-response target. Attachments the rules refuse are
    skipped and listed on the message when ``strict`` is off (mail cannot be sent back).
    """
    if ticket.status == Ticket.Status.CLOSED or ticket.merged_into_id:
        raise StateError("This ticket is closed.")
    message = add_customer_message(
        ticket, text=text, html=html, from_email=from_email, party=party, message_id=message_id,
        attachments=attachments, strict=strict,
    )  # fmt: skip
    now = timezone.now()
    reopened = ticket.status == Ticket.Status.SOLVED
    if ticket.status == Ticket.Status.PENDING_CUSTOMER:
        sla.resume(ticket, now)
    if ticket.status in (Ticket.Status.PENDING_CUSTOMER, Ticket.Status.SOLVED):
        ticket.status = Ticket.Status.OPEN
        ticket.solved_at = None
    sla.on_customer_message(ticket, now)
    if reopened:
        sla.refresh_due(ticket, sla.hours_of(ticket.sla_policy.calendar) if ticket.sla_policy else None, now)
    ticket.version += 1
    ticket.save()
    announced = [news("support.customer_replied", ticket, None, message_id=message.pk, kind=message.kind)]
    if reopened:
        announced.append(news("support.ticket_reopened", ticket, None))
    publish_together(ticket, announced)
    return message


def add_customer_message(
    ticket: Ticket,
    *,
    text: str = "",
    html: str = "",
    from_email: str = "",
    party: Party | None = None,
    message_id: str = "",
    attachments: list[AttachmentIn] | None = None,
    strict: bool = True,
) -> Message:
    """Store the customer's message and its files on the ticket, leaving the ticket's state alone
    (``customer_message`` moves it on; a ticket being opened has nothing to move)."""
    body_html, body_text = _body(text, html)
    files, skipped = _accepted(attachments or [], strict=strict)
    if skipped:
        body_text += "\n\n" + "\n".join(f"[not kept] {s}" for s in skipped)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CUSTOMER,
        author_party=party,
        from_email=from_email,
        body_html=body_html,
        body_text=body_text,
        message_id=message_id[:250],
    )
    _store(message, files)
    return message


def thread_ids(ticket: Ticket) -> list[str]:
    """Message-IDs of the ticket's mails, oldest first (the References header)."""
    return [
        m for m in ticket.messages.exclude(message_id="").exclude(kind=Message.Kind.NOTE).values_list("message_id", flat=True)
    ]


def send_reply(message_pk: int) -> bool:
    """E-mail an agent's reply to the requester, threaded; record when it went out.

    Runs after commit (and again from the retry job for replies the mail server refused), so a
    rolled-back reply never reaches the customer and a sent one is not sent twice.
    """
    message = Message.objects.select_related("ticket", "ticket__queue", "author").filter(pk=message_pk).first()
    if message is None or message.sent_at is not None or message.kind != Message.Kind.REPLY:
        return False
    ticket = message.ticket
    if not ticket.requester_email:
        return False
    earlier = [m for m in thread_ids(ticket) if m != message.message_id]
    headers = {"Message-ID": message.message_id}
    if earlier:
        headers["In-Reply-To"] = earlier[-1]
        headers["References"] = " ".join(earlier[-20:])
    from_email = ticket.queue.email if ticket.queue and ticket.queue.email else settings.DEFAULT_FROM_EMAIL
    mail = EmailMultiAlternatives(
        subject=f"Re: {subject_with_reference(ticket)}",
        body=message.body_text,
        from_email=from_email,
        to=[ticket.requester_email],
        headers=headers,
    )
    mail.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    try:
        mail.send()
    except Exception:
        # The mail server is down or refused: the retry job sends it later.
        logger.exception("Reply %s on ticket %s could not be sent", message.pk, ticket.number)
        return False
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now())
    return True


def send_pending_replies(*, older_than_seconds: int = 60, limit: int = 200) -> int:
    """Send replies that did not go out (the mail server was down); the scheduled retry job."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    pending = Message.objects.filter(
        kind=Message.Kind.REPLY, sent_at__isnull=True, created_at__lte=cutoff, ticket__requester_email__gt=""
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(pending) if send_reply(pk))
