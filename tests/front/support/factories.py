"""Factory helpers of the support tests: records made through the services, as a user would."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from spona.core.models import Company, User
from spona.front.support import services
from spona.front.support.models import SlaPolicy, Ticket

WORKWEEK = {str(d): [["09:00", "17:00"]] for d in range(1, 6)}


def ticket(company: Company, actor: User | None = None, **fields: object) -> Ticket:
    """Open a ticket through the service (subject and text default to something sensible)."""
    fields.setdefault("subject", "Printer does not print")
    fields.setdefault("text", "It blinks orange.")
    return services.ticket_create(actor=actor, company=company, data=services.TicketInput(**fields))  # type: ignore[arg-type]


def policy(
    company: Company, first: int = 60, nxt: int = 120, resolution: int = 480, calendar=None, **conditions: str
) -> SlaPolicy:
    return services.policy_create(
        actor=None, company=company, name=f"SLA {first}/{resolution} {conditions}", first_response_minutes=first,
        next_response_minutes=nxt, resolution_minutes=resolution, calendar_id=calendar.pk if calendar else None, **conditions,
    )  # fmt: skip


def mail(
    sender: str = "Jovana Petrović <jovana@bora.rs>",
    to: str = "help@acme.test",
    subject: str = "Invoice is wrong",
    text: str = "Hello, the amount on INV-7 is wrong.",
    html: str = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A raw e-mail as a mail server hands it over."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = make_msgid(domain="bora.rs")
    for name, value in (headers or {}).items():
        del msg[name]
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, content in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)
