"""Inbound e-mail: turn a received mail into a new ticket or a reply on an existing one.

Shared by the SMTP/LMTP receiver (``spona mail-in``) and the IMAP poller. A mail is threaded by
its In-Reply-To and References headers (our replies carry our Message-IDs), else by the ticket
reference "[T-000123]" in its subject when the sender belongs to that ticket. The sender is
looked up in the party registry; an unknown address becomes a person party. Auto-replies and
bounces never make tickets (no mail loops), one Message-ID is processed once, and a sender
over the hourly rate limit is dropped. Every mail leaves one ``InboundMail`` row saying what
became of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from spona.core import services as core_services
from spona.core.db import service_atomic
from spona.core.errors import ValidationFailed
from spona.core.models import Company, ContactPoint, Party, Relationship
from spona.core.validation import normalise_email
from spona.front.support.models import InboundMail, Message, Queue, Ticket
from spona.front.support.services.messages import REFERENCE, AttachmentIn, customer_message
from spona.front.support.services.tickets import TicketInput, open_ticket

DEFAULT_RATE_PER_HOUR = 30
AUTO_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+@.-]|$)", re.IGNORECASE)
PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|odg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
MSGID = re.compile(r"<[^<>\s]+>")


def parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError):  # a malformed header must not stop the mail
        return ""
    return str(value or "").strip()


def is_automatic(msg: EmailMessage, sender: str) -> bool:
    """Auto-replies, out-of-office notices, bounces and list mail (RFC 3834 and common practice)."""
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if _header(msg, "Precedence").lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if _header(msg, "X-Auto-Response-Suppress") or _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return True
    if _header(msg, "List-Id") or _header(msg, "List-Unsubscribe"):
        return True
    if msg.get_content_type() == "multipart/report":
        return True
    return not sender or bool(AUTO_SENDERS.match(sender))


def message_id_of(msg: EmailMessage, raw: bytes) -> str:
    found = MSGID.findall(_header(msg, "Message-ID"))
    # A mail without a Message-ID still needs one identity, for de-duplication.
    return found[0] if found else f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def _referenced(msg: EmailMessage) -> list[str]:
    return MSGID.findall(_header(msg, "In-Reply-To")) + MSGID.findall(_header(msg, "References"))


def _body(msg: EmailMessage) -> tuple[str, str]:
    html, text = "", ""
    for kind in ("html", "plain"):
        try:
            part = msg.get_body(preferencelist=(kind,))
            content = part.get_content() if part is not None else ""
        except (LookupError, ValueError, AttributeError):
            content = ""
        if kind == "html":
            html = content if isinstance(content, str) else ""
        else:
            text = content if isinstance(content, str) else ""
    return text, html


def _attachments(msg: EmailMessage) -> list[AttachmentIn]:
    found = []
    for part in msg.iter_attachments():
        try:
            content = part.get_payload(decode=True) or b""
        except (ValueError, TypeError):
            continue
        found.append(
            AttachmentIn(filename=part.get_filename() or "attachment", content_type=part.get_content_type(), content=content)
        )
    return found


def sender_party(company: Company, sender: str, display: str) -> tuple[Party, bool]:
    """The party that holds a sender's address, and whether it was registered just now (an unknown
    address becomes a person)."""
    point = (
        ContactPoint.objects.filter(kind="email", value=sender, party__company=company, party__merged_into__isnull=True)
        .select_related("party")
        .order_by("party_id")
        .first()
    )
    if point is not None:
        return point.party, False
    name = display.strip() or sender.split("@")[0]
    person = core_services.party_create(
        actor=None,
        company=company,
        data=core_services.PartyInput(kind="person", name=name[:200], emails=[sender], roles=["contact"]),
    )
    return person, True


def customer_for_address(company: Company, sender: str, display: str) -> tuple[Party | None, Party]:
    """(organisation, person) for a sender address; an unknown address registers a person."""
    person, registered = sender_party(company, sender, display)
    if not person.is_person():
        return person, person
    if registered:
        return None, person  # works nowhere yet
    employer = (
        Relationship.objects.filter(from_party=person, kind=Relationship.Kind.WORKS_AT, to_party__merged_into__isnull=True)
        .select_related("to_party")
        .order_by("id")
        .first()
    )
    return (employer.to_party if employer else None), person


def _thread(company: Company, msg: EmailMessage, subject: str, sender: str) -> Ticket | None:
    ids = _referenced(msg)
    if ids:
        found = (
            Message.objects.filter(ticket__company=company, message_id__in=ids)
            .order_by("-id")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if found:
            return _follow(company, found)
    match = REFERENCE.search(subject)
    if match:
        ticket = Ticket.objects.filter(company=company, number=match.group(1)).select_related("party", "contact").first()
        # Only the ticket's own people may write into it by quoting its number.
        if ticket is not None and sender in _addresses_of(ticket):
            return _follow(company, ticket.pk)
    return None


def _addresses_of(ticket: Ticket) -> set[str]:
    parties = [p for p in (ticket.party_id, ticket.contact_id) if p]
    people = set(Relationship.objects.filter(to_party_id__in=parties, kind="works_at").values_list("from_party_id", flat=True))
    values = ContactPoint.objects.filter(kind="email", party_id__in=[*parties, *people]).values_list("value", flat=True)
    return {ticket.requester_email, *values} - {""}


def _follow(company: Company, ticket_id: int) -> Ticket | None:
    """The ticket a reply belongs to, following merges and locked for the reply; None when it is
    closed (a new ticket starts)."""
    # Lock as we read: the reply is added to the ticket found, so reading it again to lock it is a
    # wasted query (a merged ticket locked on the way changes nothing). The customer and the SLA
    # policy come along: the reply's event names the one, its next-response target needs the other.
    rows = Ticket.objects.select_for_update(of=("self",)).select_related("party", "sla_policy__calendar")
    ticket = rows.filter(pk=ticket_id, company=company).first()
    hops = 0
    while ticket is not None and ticket.merged_into_id and hops < 10:
        ticket = rows.filter(pk=ticket.merged_into_id).first()
        hops += 1
    if ticket is None or ticket.status == Ticket.Status.CLOSED:
        return None
    ticket.company = company  # the same row: not read again for the event
    return ticket


def _queue_for(company: Company, recipients: list[str]) -> Queue | None:
    """The queue whose address received the mail, else the company's default queue (one query)."""
    wanted = [r.lower() for r in recipients if r]
    queues = list(Queue.objects.filter(Q(is_default=True) | Q(email__in=wanted), company=company).order_by("id"))
    return next((q for q in queues if q.email and q.email in wanted), None) or next((q for q in queues if q.is_default), None)


def company_for(recipients: list[str], default: Company | None) -> Company | None:
    """The company whose queue address received the mail, else ``default``."""
    wanted = [r.lower() for r in recipients if r]
    queue = Queue.objects.filter(email__in=wanted).select_related("company").order_by("id").first() if wanted else None
    return queue.company if queue is not None else default


def _log(company: Company, message_id: str, sender: str, subject: str, outcome: str, ticket: Ticket | None = None) -> InboundMail:
    return InboundMail.objects.create(
        company=company, message_id=message_id[:250], sender=sender[:254], subject=subject[:250], outcome=outcome, ticket=ticket
    )


@service_atomic
def mail_receive(
    *, company: Company, raw: bytes, recipients: list[str] | None = None, now: dt.datetime | None = None
) -> InboundMail:
    """Process one received e-mail (raw RFC 5322 bytes) into the company's support; see the module doc."""
    now = now or timezone.now()
    msg = parse(raw)
    display, address = parseaddr(_header(msg, "From"))
    try:
        sender = normalise_email(address) if address else ""
    except Exception:
        sender = ""
    subject = " ".join(_header(msg, "Subject").split())[:250]
    message_id = message_id_of(msg, raw)
    duplicate, recent = _seen(company, message_id, sender, now - dt.timedelta(hours=1))
    if duplicate:
        return _log(company, message_id, sender, subject, InboundMail.Outcome.DUPLICATE)
    if is_automatic(msg, sender):
        return _log(company, message_id, sender, subject, InboundMail.Outcome.AUTO)
    if recent >= getattr(settings, "SUPPORT_MAIL_RATE_PER_HOUR", DEFAULT_RATE_PER_HOUR):
        return _log(company, message_id, sender, subject, InboundMail.Outcome.LIMITED)
    text, html = _body(msg)
    files = _attachments(msg)
    if not text.strip() and not html.strip():
        text = "(no text)"
    ticket = _thread(company, msg, subject, sender)
    if ticket is not None:
        # A reply is written by whoever holds the address; their employer does not matter here.
        person, _ = sender_party(company, sender, display)
        customer_message(
            company=company, ticket=ticket, text=text, html=html, from_email=sender, party=person,
            message_id=message_id, attachments=files, strict=False,
        )  # fmt: skip
        return _log(company, message_id, sender, subject, InboundMail.Outcome.REPLIED, ticket)
    organisation, person = customer_for_address(company, sender, display)
    to = [a for _, a in getaddresses([_header(msg, "To"), _header(msg, "Cc")])] + list(recipients or [])
    queue = _queue_for(company, to)
    data = TicketInput(
        subject=PREFIX.sub("", subject) or "(no subject)",
        text=text,
        html=html,
        party_id=(organisation or person).pk,
        contact_id=person.pk if organisation is not None and organisation.pk != person.pk else None,
        requester_email=sender,
        channel=Ticket.Channel.EMAIL,
        queue_id=queue.pk if queue else None,
    )
    known = [p for p in (organisation, person, queue) if p is not None]
    ticket = open_ticket(
        actor=None, company=company, data=data, message_id=message_id, attachments=files, strict=False, known=known
    )
    return _log(company, message_id, sender, subject, InboundMail.Outcome.CREATED, ticket)


def _seen(company: Company, message_id: str, sender: str, since: dt.datetime) -> tuple[bool, int]:
    """Whether a mail with this Message-ID was received before, and how many mails (duplicates
    aside) the sender sent since ``since``: both from the mail log, in one query."""
    counted = Q(sender=sender, created_at__gte=since) & ~Q(outcome=InboundMail.Outcome.DUPLICATE)
    found = InboundMail.objects.filter(Q(message_id=message_id) | counted, company=company).aggregate(
        duplicate=Count("pk", filter=Q(message_id=message_id)), recent=Count("pk", filter=counted)
    )
    return bool(found["duplicate"]), found["recent"]


@service_atomic
def web_ticket_create(*, company: Company, name: str, email: str, subject: str, text: str) -> Ticket:
    """Open a ticket from the public contact form; the sender is found or registered as for mail.

    The form itself is the permission (no actor); raises ValidationFailed for a bad address or subject.
    """
    try:
        sender = normalise_email(email)
    except Exception:
        raise ValidationFailed("Give a valid e-mail address.", field_errors={"email": ["Not a valid address."]}) from None
    organisation, person = customer_for_address(company, sender, name)
    data = TicketInput(
        subject=subject,
        text=text,
        party_id=(organisation or person).pk,
        contact_id=person.pk if organisation is not None and organisation.pk != person.pk else None,
        requester_email=sender,
        channel=Ticket.Channel.WEB,
    )
    return open_ticket(actor=None, company=company, data=data, known=[p for p in (organisation, person) if p is not None])
