"""What a ticket hands on: part of its conversation split into a ticket of its own, a credit note
for finance to post, a return for sales to open.

Support may ask; the department that owns the document acts through its own services, which
check their own permissions (finance posts credit notes, sales opens returns).
"""

from __future__ import annotations

from decimal import Decimal

from spona.back.finance.services import invoice_credit
from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.front.support import bodies
from spona.front.support.models import Message, ReturnRequest, Ticket, TicketLink
from spona.front.support.services.common import agent, locked, publish
from spona.front.support.services.tickets import TicketInput, open_ticket


def _note(ticket: Ticket, actor: User | None, text: str) -> None:
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.NOTE, author=actor, body_text=text, body_html=bodies.text_to_html(text)
    )


def _link(ticket: Ticket, record_type: str, record_id: int, label: str) -> None:
    TicketLink.objects.get_or_create(
        company=ticket.company, ticket=ticket, record_type=record_type, record_id=record_id, defaults={"label": label[:200]}
    )


@service_atomic
def ticket_split(*, actor: User, company: Company, ticket_id: int, message_ids: list[int], subject: str) -> Ticket:
    """Move some messages of a ticket to a new ticket for the same customer, and link the two.

    The new ticket keeps the customer, contact, requester, channel, queue, priority and type,
    and gets its own number and SLA targets. Raises ValidationFailed when no message of this
    ticket is chosen or all of them are (that is a new subject, not a split), StateError on a
    closed ticket.
    """
    agent(actor, company)
    source = locked(company, ticket_id)
    if source.status == Ticket.Status.CLOSED:
        raise StateError("A closed ticket cannot be split.")
    chosen = list(source.messages.filter(pk__in=set(message_ids)).order_by("created_at", "id"))
    if not chosen:
        raise ValidationFailed("Choose the messages that become the new ticket.", field_errors={"messages": ["None chosen."]})
    if len(chosen) == source.messages.count():
        raise ValidationFailed(
            "Leave at least one message on this ticket; to rename it, change its subject.",
            field_errors={"messages": ["Every message chosen."]},
        )
    data = TicketInput(
        subject=subject or source.subject,
        party_id=source.party_id,
        contact_id=source.contact_id,
        requester_email=source.requester_email,
        channel=source.channel,
        queue_id=source.queue_id,
        priority=source.priority,
        type=source.type,
        tags=list(source.tags),
    )
    split = open_ticket(actor=actor, company=company, data=data)
    Message.objects.filter(pk__in=[m.pk for m in chosen]).update(ticket=split)
    _link(source, TicketLink.RecordType.TICKET, split.pk, str(split))
    _link(split, TicketLink.RecordType.TICKET, source.pk, str(source))
    _note(source, actor, f"{len(chosen)} message(s) moved to {split.number}.")
    _note(split, actor, f"Split off {source.number}.")
    source.version += 1
    source.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, target=source, action="split", changes={"split_into": [None, split.pk]})
    publish("support.ticket_split", split, actor, from_ticket_id=source.pk, from_number=source.number)
    return split


def _linked(ticket: Ticket, record_type: str, record_id: int, name: str) -> None:
    if not ticket.links.filter(record_type=record_type, record_id=record_id).exists():
        raise ValidationFailed(
            f"Link the {name} to the ticket first.", field_errors={f"{name}_id": ["Not linked to this ticket."]}
        )


@service_atomic
def ticket_request_credit_note(*, actor: User, company: Company, ticket_id: int, invoice_id: int, reason: str) -> int:
    """Ask finance for a credit note: a draft credit note for an invoice linked to the ticket.

    Finance reviews and posts the draft (finance.post); nothing reaches the ledger until then.
    The invoice must be a posted customer invoice of the ticket's customer. Returns the draft's id.
    """
    agent(actor, company)
    ticket = locked(company, ticket_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed("Say why the customer gets a credit note.", field_errors={"reason": ["Required."]})
    _linked(ticket, TicketLink.RecordType.INVOICE, invoice_id, "invoice")
    draft = invoice_credit(actor=None, company=company, invoice_id=invoice_id, reason=f"{ticket.number}: {reason}", post=False)
    if ticket.party_id is None or draft.party_id != ticket.party_id:
        # Undo the draft with the rest of this transaction: the invoice is another customer's.
        raise ValidationFailed(
            "That invoice is not this ticket's customer's.", field_errors={"invoice_id": ["Another customer."]}
        )
    label = f"Draft credit note for {draft.reference}"
    _link(ticket, TicketLink.RecordType.INVOICE, draft.pk, label)
    _note(ticket, actor, f"{label} requested from finance: {reason}")
    audit.record(actor=actor, target=ticket, action="credit_note_requested", changes={"credit_note": [None, draft.pk]})
    publish("support.credit_note_requested", ticket, actor, record="finance.invoice", record_number=draft.reference)
    return draft.pk


@service_atomic
def ticket_request_return(*, actor: User, company: Company, ticket_id: int, order_id: int, reason: str) -> ReturnRequest:
    """Ask sales to take the goods of an order linked to the ticket back (an RMA).

    Raises ValidationFailed without a reason or for an order not linked to the ticket,
    StateError when a request for that order is already open.
    """
    agent(actor, company)
    ticket = locked(company, ticket_id)
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise ValidationFailed("Say why the goods come back.", field_errors={"reason": ["Required."]})
    _linked(ticket, TicketLink.RecordType.ORDER, order_id, "order")
    if ticket.return_requests.filter(order_id=order_id, status=ReturnRequest.Status.REQUESTED).exists():
        raise StateError("A return for this order is already requested.")
    label = ticket.links.filter(record_type=TicketLink.RecordType.ORDER, record_id=order_id).values_list("label", flat=True)[0]
    request = ReturnRequest.objects.create(
        company=company, ticket=ticket, order_id=order_id, order_label=label or f"#{order_id}", reason=reason, requested_by=actor
    )
    _note(ticket, actor, f"Return requested from sales for order {request.order_label}: {reason}")
    audit.record(actor=actor, target=ticket, action="return_requested", changes={"order": [None, order_id]})
    publish("support.return_requested", ticket, actor, record="sales.order", record_number=request.order_label)
    return request


@service_atomic
def return_request_open(*, actor: User, company: Company, request_id: int) -> ReturnRequest:
    """Open the requested return as a sales user: every delivered unit not yet returned comes back.

    Sales' order_return receives the goods and credits what was invoiced; the ticket gets a note
    and a link to the return. Raises PermissionDenied without sales.manage, StateError when the
    request was already handled or nothing of the order can come back.
    """
    # Imported here: sales' services import support's (a cycle at import time).
    from spona.front.sales.selectors import order_get
    from spona.front.sales.services import ReturnLineIn, order_return

    require(actor, "sales.manage", company)
    request = ReturnRequest.objects.select_for_update().filter(pk=request_id, company=company).select_related("ticket").first()
    if request is None:
        raise NotFound("No such return request.")
    if not request.is_open():
        raise StateError(f"This request was handled already: return {request.rma_number}.")
    order = order_get(user=actor, company=company, order_id=request.order_id)
    lines = [
        ReturnLineIn(order_line_id=x.pk, quantity=x.qty_delivered - x.qty_returned)
        for x in order.lines.all()
        if x.qty_delivered - x.qty_returned > Decimal(0)
    ]
    if not lines:
        raise StateError(f"Nothing of order {order.number} was delivered and not yet returned.")
    rma = order_return(
        actor=actor, company=company, order_id=order.pk, lines=lines, reason=f"{request.ticket.number}: {request.reason}"
    )
    request.status = ReturnRequest.Status.OPENED
    request.opened_by = actor
    request.rma_id, request.rma_number = rma.pk, rma.number
    request.save(update_fields=["status", "opened_by", "rma_id", "rma_number", "updated_at"])
    ticket = locked(company, request.ticket_id)
    _note(ticket, actor, f"Sales opened return {rma.number} for order {order.number}.")
    audit.record(actor=actor, target=ticket, action="return_opened", changes={"return": [None, rma.number]})
    publish("support.return_opened", ticket, actor, record="sales.return", record_number=rma.number)
    return request
