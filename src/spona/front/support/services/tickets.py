"""Tickets: open, move through their states, assign, edit, merge, link, nest, log time, watch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from spona.core import audit
from spona.core import services as core_services
from spona.core.db import service_atomic
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, Membership, Party, User
from spona.core.permissions import has_perm
from spona.front.support.models import Message, Queue, Ticket, TicketLink, TicketViewer, TimeEntry
from spona.front.support.services import sla
from spona.front.support.services.common import agent, locked, news, publish, publish_together
from spona.front.support.services.messages import AttachmentIn, add_customer_message, customer_message
from spona.front.support.services.queues import choose_agent, default_queue

VIEWER_FRESH = dt.timedelta(seconds=30)
M = TypeVar("M", bound=Model)


@dataclass
class TicketInput:
    """What a caller may set on a new ticket (SEC2: number, status, SLA and company are never input)."""

    subject: str
    text: str = ""
    html: str = ""
    party_id: int | None = None
    contact_id: int | None = None
    requester_email: str = ""
    channel: str = Ticket.Channel.API
    queue_id: int | None = None
    priority: str = Ticket.Priority.NORMAL
    type: str = Ticket.Type.QUESTION
    tags: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    parent_id: int | None = None
    assignee_id: int | None = None


# Rows the caller has just read, by model and id: taken as they are instead of being read again.
Known = dict[tuple[type[Model], int], Model]


def _known(known: Known, model: type[M], pk: int, company: Company) -> M | None:
    found = known.get((model, pk))
    return found if isinstance(found, model) and found.company_id == company.pk else None  # type: ignore[attr-defined]


def _party(company: Company, party_id: int | None, name: str, known: Known) -> Party | None:
    if not party_id:
        return None
    found = _known(known, Party, party_id, company)
    if found is None or found.merged_into_id is not None:
        found = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
    if found is None:
        raise ValidationFailed("Choose a party of this company.", field_errors={name: ["Unknown party."]})
    return found


def _agent_user(company: Company, user_id: int | None) -> User | None:
    if not user_id:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not has_perm(user, "support.manage", company):
        raise ValidationFailed("Choose a support agent of this company.", field_errors={"assignee_id": ["Not an agent."]})
    return user


def _labels(values: list[str]) -> list[str]:
    return sorted({v.strip().lower()[:40] for v in values if v and v.strip()})


def _clean(company: Company, data: TicketInput, known: Known) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    subject = " ".join(data.subject.split())[:250]
    if not subject:
        errors["subject"] = ["Give a subject."]
    for name, choices in (("channel", Ticket.Channel), ("priority", Ticket.Priority), ("type", Ticket.Type)):
        if getattr(data, name) not in choices.values:
            errors[name] = [f"Unknown {name}."]
    queue = None
    if data.queue_id:
        queue = _known(known, Queue, data.queue_id, company) or Queue.objects.filter(pk=data.queue_id, company=company).first()
        if queue is None:
            errors["queue_id"] = ["Unknown queue."]
    parent = None
    if data.parent_id:
        parent = Ticket.objects.filter(pk=data.parent_id, company=company).first()
        if parent is None or not parent.is_open():
            errors["parent_id"] = ["Choose an open ticket of this company."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    return {
        "subject": subject,
        "party": _party(company, data.party_id, "party_id", known),
        "contact": _party(company, data.contact_id, "contact_id", known),
        "requester_email": data.requester_email.strip().lower()[:254],
        "channel": data.channel,
        "queue": queue or default_queue(company),
        "priority": data.priority,
        "type": data.type,
        "tags": _labels(data.tags),
        "skills": _labels(data.skills),
        "parent": parent,
        "assignee": _agent_user(company, data.assignee_id),
    }


def customer_tags(party: Party | None) -> set[str]:
    return set(party.tags.values_list("name", flat=True)) if party is not None else set()


def open_ticket(
    *,
    actor: User | None,
    company: Company,
    data: TicketInput,
    message_id: str = "",
    attachments: list[AttachmentIn] | None = None,
    strict: bool = True,
    known: Iterable[Model] = (),
) -> Ticket:
    """Open a ticket inside the caller's transaction (shared by every channel).

    ``known``: rows of the company the caller has just read (the customer, the queue chosen by
    the mail's address), used instead of reading them again; they are still checked to belong
    to the company and, for parties, not to be merged away.
    """
    values = _clean(company, data, {(type(row), row.pk): row for row in known})
    now = timezone.now()
    ticket = Ticket(company=company, **values)
    customer = ticket.party or ticket.contact
    if not ticket.requester_email and ticket.contact is not None:
        ticket.requester_email = ticket.contact.contact_points.filter(kind="email").values_list("value", flat=True).first() or ""
    sla.apply_policy(ticket, lambda: customer_tags(customer), now)
    if ticket.assignee is None and ticket.queue is not None:
        ticket.assignee = choose_agent(company=company, queue=ticket.queue, skills=ticket.skills)
    ticket.number = core_services.sequence_next(company=company, code="support-ticket", prefix="T-", padding=6)
    ticket.save()
    audit.record(actor=actor, target=ticket, action="created")
    announced = [news("support.ticket_created", ticket, actor)]
    if ticket.assignee is not None:
        announced.append(
            news("support.ticket_assigned", ticket, actor, assignee_id=ticket.assignee_id, assignee=ticket.assignee.full_name)
        )
    if data.text.strip() or data.html.strip():
        # The first message: the new ticket has no SLA target to move and no state to change, so
        # the row just inserted is not written again.
        message = add_customer_message(
            ticket,
            text=data.text,
            html=data.html,
            from_email=ticket.requester_email,
            party=ticket.contact or ticket.party,
            message_id=message_id,
            attachments=attachments,
            strict=strict,
        )
        announced.append(news("support.customer_replied", ticket, None, message_id=message.pk, kind=message.kind))
    publish_together(ticket, announced)
    return ticket


@service_atomic
def ticket_create(
    *, actor: User | None, company: Company, data: TicketInput, attachments: list[AttachmentIn] | None = None
) -> Ticket:
    """Open a ticket for a customer: number, SLA targets, queue and agent by the queue's method.

    ``actor`` is an agent (support.manage), or None for a channel that is its own permission
    (the web form, mail-in). Raises ValidationFailed listing invalid fields.
    """
    agent(actor, company)
    return open_ticket(actor=actor, company=company, data=data, attachments=attachments)


def portal_party(actor: User, company: Company) -> Party:
    """The customer a portal user speaks for; PermissionDenied when they are not a portal user here."""
    from spona.core.errors import PermissionDenied

    membership = Membership.objects.filter(user=actor, company=company, role="portal", party__isnull=False).first()
    if membership is None or not actor.is_active:
        raise PermissionDenied("You do not have permission to do this.")
    return membership.party


@service_atomic
def portal_ticket_create(
    *, actor: User, company: Company, subject: str, text: str, attachments: list[AttachmentIn] | None = None
) -> Ticket:
    """Open a ticket as a customer's portal user, for their own organisation."""
    customer = portal_party(actor, company)
    data = TicketInput(subject=subject, text=text, party_id=customer.pk, requester_email=actor.email, channel="portal")
    return open_ticket(actor=None, company=company, data=data, attachments=attachments)


@service_atomic
def portal_reply(
    *, actor: User, company: Company, ticket_id: int, text: str, attachments: list[AttachmentIn] | None = None
) -> Message:
    """Answer one of the organisation's tickets as its portal user (another customer's is NotFound)."""
    customer = portal_party(actor, company)
    ticket = locked(company, ticket_id)
    if ticket.party_id != customer.pk:
        raise NotFound("No such ticket.")
    return customer_message(
        company=company, ticket=ticket, text=text, from_email=actor.email, party=customer, attachments=attachments
    )


TRANSITIONS = {
    Ticket.Status.NEW: {Ticket.Status.OPEN, Ticket.Status.PENDING_CUSTOMER, Ticket.Status.PENDING_INTERNAL, Ticket.Status.SOLVED},
    Ticket.Status.OPEN: {Ticket.Status.PENDING_CUSTOMER, Ticket.Status.PENDING_INTERNAL, Ticket.Status.SOLVED},
    Ticket.Status.PENDING_CUSTOMER: {Ticket.Status.OPEN, Ticket.Status.PENDING_INTERNAL, Ticket.Status.SOLVED},
    Ticket.Status.PENDING_INTERNAL: {Ticket.Status.OPEN, Ticket.Status.PENDING_CUSTOMER, Ticket.Status.SOLVED},
    Ticket.Status.SOLVED: {Ticket.Status.OPEN, Ticket.Status.CLOSED},
    Ticket.Status.CLOSED: set(),
}


@service_atomic
def ticket_set_status(*, actor: User | None, company: Company, ticket_id: int, status: str) -> Ticket:
    """Move a ticket to another status.

    Pending-customer stops the SLA clock and leaving it starts it again; solving needs every
    child ticket solved first; closing is final. Raises StateError for a transition the
    current status does not allow, ValidationFailed for an unknown status.
    """
    agent(actor, company)
    if status not in Ticket.Status.values:
        raise ValidationFailed("Unknown status.", field_errors={"status": [f"Unknown status {status!r}."]})
    ticket = locked(company, ticket_id)
    if status == ticket.status:
        return ticket
    if status not in TRANSITIONS[ticket.status]:
        raise StateError(f"A {ticket.get_status_display().lower()} ticket cannot become {Ticket.Status(status).label.lower()}.")
    if status in (Ticket.Status.SOLVED, Ticket.Status.CLOSED):
        open_children = list(ticket.children.filter(status__in=Ticket.OPEN_STATES).values_list("number", flat=True)[:5])
        if open_children:
            raise StateError(f"Solve the child tickets first: {', '.join(open_children)}.", code="open_children")
    now = timezone.now()
    before = ticket.status
    if before == Ticket.Status.PENDING_CUSTOMER:
        sla.resume(ticket, now)
    if status == Ticket.Status.PENDING_CUSTOMER:
        sla.pause(ticket, now)
    ticket.status = status
    if status == Ticket.Status.SOLVED:
        ticket.solved_at = now
        ticket.next_response_due = None
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = now
    elif before == Ticket.Status.SOLVED:
        ticket.solved_at = None
    sla.refresh_due(ticket, sla.hours_of(ticket.sla_policy.calendar) if ticket.sla_policy else None, now)
    ticket.version += 1
    ticket.save()
    audit.record(actor=actor, target=ticket, action="status_changed", changes={"status": [before, status]})
    if status == Ticket.Status.SOLVED:
        publish("support.ticket_solved", ticket, actor)
        if ticket.requester_email:
            from spona.front.support.services.csat import send_survey

            transaction.on_commit(lambda: send_survey(ticket.pk))
    elif status == Ticket.Status.CLOSED:
        publish("support.ticket_closed", ticket, actor)
    elif before == Ticket.Status.SOLVED:
        publish("support.ticket_reopened", ticket, actor)
    return ticket


@service_atomic
def ticket_assign(
    *, actor: User, company: Company, ticket_id: int, assignee_id: int | None, queue_id: int | None = None
) -> Ticket:
    """Give a ticket to an agent (or nobody), optionally moving it to another queue."""
    agent(actor, company)
    ticket = locked(company, ticket_id)
    if not ticket.is_open():
        raise StateError("Only an open ticket can be reassigned.")
    assignee = _agent_user(company, assignee_id)
    before = {"assignee": ticket.assignee_id, "queue": ticket.queue_id}
    if queue_id is not None:
        queue = Queue.objects.filter(pk=queue_id, company=company).first()
        if queue is None:
            raise ValidationFailed("Choose a queue of this company.", field_errors={"queue_id": ["Unknown queue."]})
        ticket.queue = queue
    ticket.assignee = assignee
    ticket.version += 1
    ticket.save()
    audit.record(
        actor=actor,
        target=ticket,
        action="assigned",
        changes=audit.diff(before, {"assignee": ticket.assignee_id, "queue": ticket.queue_id}),
    )
    publish(
        "support.ticket_assigned", ticket, actor, assignee_id=ticket.assignee_id, assignee=assignee.full_name if assignee else ""
    )
    return ticket


@service_atomic
def ticket_update(
    *,
    actor: User,
    company: Company,
    ticket_id: int,
    version: int,
    subject: str | None = None,
    priority: str | None = None,
    type: str | None = None,
    tags: list[str] | None = None,
    skills: list[str] | None = None,
) -> Ticket:
    """Change a ticket's subject, priority, type, tags or skills; a stale version raises Conflict."""
    agent(actor, company)
    ticket = locked(company, ticket_id, version)
    fields = ["subject", "priority", "type", "tags", "skills"]
    before = audit.snapshot(ticket, fields)
    errors: dict[str, list[str]] = {}
    if subject is not None:
        ticket.subject = " ".join(subject.split())[:250]
        if not ticket.subject:
            errors["subject"] = ["Give a subject."]
    if priority is not None:
        if priority not in Ticket.Priority.values:
            errors["priority"] = ["Unknown priority."]
        ticket.priority = priority
    if type is not None:
        if type not in Ticket.Type.values:
            errors["type"] = ["Unknown type."]
        ticket.type = type
    if tags is not None:
        ticket.tags = _labels(tags)
    if skills is not None:
        ticket.skills = _labels(skills)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    ticket.version += 1
    ticket.save()
    audit.record(actor=actor, target=ticket, action="updated", changes=audit.diff(before, audit.snapshot(ticket, fields)))
    return ticket


@service_atomic
def ticket_merge(*, actor: User, company: Company, source_id: int, target_id: int) -> Ticket:
    """Merge a duplicate ticket into another: its messages move over, it closes pointing at the target.

    Both rows are locked in id order so that two merges at once cannot deadlock.
    """
    agent(actor, company)
    if source_id == target_id:
        raise ValidationFailed("A ticket cannot be merged into itself.", field_errors={"target_id": ["Same ticket."]})
    first, second = sorted((source_id, target_id))
    rows = {first: locked(company, first), second: locked(company, second)}
    source, target = rows[source_id], rows[target_id]
    if source.merged_into_id or target.merged_into_id or target.status == Ticket.Status.CLOSED:
        raise StateError("Merge into an open ticket that was not merged itself.")
    if source.children.exists():
        raise StateError("Move the child tickets first; a ticket with children cannot be merged away.")
    Message.objects.filter(ticket=source).update(ticket=target)
    Message.objects.create(
        ticket=target, kind=Message.Kind.NOTE, author=actor, body_text=f"Merged {source.number} into this ticket.",
        body_html=f"<p>Merged {source.number} into this ticket.</p>",
    )  # fmt: skip
    source.merged_into = target
    source.status = Ticket.Status.CLOSED
    source.closed_at = timezone.now()
    source.sla_due_at = source.sla_warn_at = None
    source.version += 1
    source.save()
    target.version += 1
    target.save()
    audit.record(actor=actor, target=source, action="merged", changes={"merged_into": [None, target.pk]})
    publish("support.ticket_closed", source, actor)
    return target


@service_atomic
def ticket_link(
    *, actor: User, company: Company, ticket_id: int, record_type: str, record_id: int, label: str = ""
) -> TicketLink:
    """Link a ticket to an order, invoice, product, contract or another ticket of the company."""
    agent(actor, company)
    ticket = locked(company, ticket_id)
    if record_type not in TicketLink.RecordType.values:
        raise ValidationFailed("Unknown record type.", field_errors={"record_type": ["Unknown record type."]})
    if record_type == TicketLink.RecordType.TICKET:
        other = Ticket.objects.filter(pk=record_id, company=company).exclude(pk=ticket.pk).first()
        if other is None:
            raise ValidationFailed("Choose another ticket of this company.", field_errors={"record_id": ["Unknown ticket."]})
        label = label or str(other)
    link, _ = TicketLink.objects.get_or_create(
        company=company, ticket=ticket, record_type=record_type, record_id=record_id, defaults={"label": label.strip()[:200]}
    )
    audit.record(actor=actor, target=ticket, action="linked", changes={"link": [None, f"{record_type}#{record_id}"]})
    return link


@service_atomic
def ticket_set_parent(*, actor: User, company: Company, ticket_id: int, parent_id: int | None) -> Ticket:
    """Make a ticket the child of another (or of none); refuses cycles and a solved parent."""
    agent(actor, company)
    ticket = locked(company, ticket_id)
    parent = None
    if parent_id is not None:
        parent = Ticket.objects.filter(pk=parent_id, company=company).first()
        if parent is None or not parent.is_open():
            raise ValidationFailed("Choose an open ticket of this company.", field_errors={"parent_id": ["Unknown ticket."]})
        walk, seen = parent, set()
        while walk is not None and walk.pk not in seen:
            if walk.pk == ticket.pk:
                raise ValidationFailed("A ticket cannot be its own ancestor.", field_errors={"parent_id": ["Cycle."]})
            seen.add(walk.pk)
            walk = walk.parent
    before = ticket.parent_id
    ticket.parent = parent
    ticket.version += 1
    ticket.save()
    audit.record(actor=actor, target=ticket, action="parent_changed", changes={"parent": [before, parent_id]})
    return ticket


@service_atomic
def time_log(*, actor: User, company: Company, ticket_id: int, minutes: int, activity: str = "work", note: str = "") -> TimeEntry:
    """Record time the acting agent spent on a ticket."""
    agent(actor, company)
    ticket = locked(company, ticket_id)
    if not 0 < minutes <= 24 * 60:
        raise ValidationFailed("Give the minutes spent (1 to 1440).", field_errors={"minutes": ["Out of range."]})
    entry = TimeEntry.objects.create(
        company=company,
        ticket=ticket,
        user=actor,
        minutes=minutes,
        activity=(activity.strip() or "work")[:60],
        note=note.strip()[:200],
    )
    audit.record(actor=actor, target=ticket, action="time_logged", changes={"minutes": [None, minutes]})
    return entry


@service_atomic
def viewer_heartbeat(*, actor: User, company: Company, ticket_id: int, replying: bool = False) -> list[TicketViewer]:
    """Note that the agent has the ticket open; return the other agents who have it open now."""
    agent(actor, company)
    if not Ticket.objects.filter(pk=ticket_id, company=company).exists():
        raise NotFound("No such ticket.")
    now = timezone.now()
    TicketViewer.objects.update_or_create(ticket_id=ticket_id, user=actor, defaults={"seen_at": now, "is_replying": replying})
    return list(
        TicketViewer.objects.filter(ticket_id=ticket_id, seen_at__gte=now - VIEWER_FRESH)
        .exclude(user=actor)
        .select_related("user")
    )
