"""What the support services share: locking a ticket, its event payload, the actor's checks."""

from __future__ import annotations

from typing import Any

from spona.core import events
from spona.core.errors import Conflict, NotFound
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.front.support.models import Ticket


def locked(company: Company, ticket_id: int, version: int | None = None) -> Ticket:
    """The ticket, locked for this transaction; a stale ``version`` raises Conflict (QUALITY C2)."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id, company=company).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    if version is not None and version != ticket.version:
        raise Conflict("Someone changed this ticket since you opened it; reload and try again.", code="stale_version")
    return ticket


def agent(actor: User | None, company: Company) -> None:
    if actor is not None:
        require(actor, "support.manage", company)


def payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
    }


def publish(name: str, ticket: Ticket, actor: User | None, **extra: Any) -> None:
    events.publish(name, company=ticket.company, party=ticket.party, actor=actor, **payload(ticket), **extra)


News = tuple[str, "User | None", dict[str, Any]]


def news(name: str, ticket: Ticket, actor: User | None, **extra: Any) -> News:
    """An event of ``ticket`` as it is now, to be published with others by ``publish_together``."""
    return (name, actor, {**payload(ticket), **extra})


def publish_together(ticket: Ticket, items: list[News]) -> None:
    """Publish the events of one change of ``ticket`` at once: one insert per table instead of one per event."""
    events.publish_all(items, company=ticket.company, party=ticket.party)
