"""Events the support app publishes; those about a customer's ticket go on the party's timeline."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class TicketPayload(BaseModel):
    ticket_id: int
    number: str
    subject: str
    status: str
    priority: str
    channel: str


class RepliedPayload(TicketPayload):
    message_id: int
    kind: str


class AssignedPayload(TicketPayload):
    assignee_id: int | None
    assignee: str


class SlaPayload(TicketPayload):
    due_at: str
    target: str


class SatisfactionPayload(TicketPayload):
    rating: int
    agent_id: int | None


class ChatPayload(TicketPayload):
    chat_id: int


class SplitPayload(TicketPayload):
    from_ticket_id: int
    from_number: str


class HandOverPayload(TicketPayload):
    record: str
    record_number: str


def _define(name: str, description: str, payload: type[BaseModel], title: str) -> EventType:
    return define(EventType(name, description, payload, "support", title))


TICKET_CREATED = _define("support.ticket_created", "A ticket was opened.", TicketPayload, "Ticket {number} opened: {subject}")
TICKET_REPLIED = _define("support.ticket_replied", "An agent answered a ticket.", RepliedPayload, "Ticket {number} answered")
CUSTOMER_REPLIED = _define(
    "support.customer_replied", "The customer wrote on a ticket.", RepliedPayload, "Customer wrote on ticket {number}"
)
TICKET_ASSIGNED = _define(
    "support.ticket_assigned", "A ticket got an agent.", AssignedPayload, "Ticket {number} assigned to {assignee}"
)
TICKET_SOLVED = _define("support.ticket_solved", "A ticket was solved.", TicketPayload, "Ticket {number} solved")
TICKET_CLOSED = _define("support.ticket_closed", "A ticket was closed.", TicketPayload, "Ticket {number} closed")
TICKET_REOPENED = _define("support.ticket_reopened", "A solved ticket was reopened.", TicketPayload, "Ticket {number} reopened")
SLA_WARNING = _define(
    "support.sla_warning", "A ticket is close to missing its SLA target.", SlaPayload, "Ticket {number}: {target} due soon"
)
SLA_BREACHED = _define(
    "support.sla_breached", "A ticket missed its SLA target.", SlaPayload, "Ticket {number}: {target} target missed"
)
SATISFACTION_RATED = _define(
    "support.satisfaction_rated",
    "A customer rated the support they got.",
    SatisfactionPayload,
    "Ticket {number} rated {rating}/5",
)
CHAT_ENDED = _define(
    "support.chat_ended", "A live chat ended; its transcript is on the ticket.", ChatPayload, "Chat filed on ticket {number}"
)
TICKET_SPLIT = _define(
    "support.ticket_split",
    "Part of a ticket's conversation became a ticket of its own.",
    SplitPayload,
    "Ticket {number} split off {from_number}",
)
CREDIT_NOTE_REQUESTED = _define(
    "support.credit_note_requested",
    "An agent asked finance for a credit note (a draft waits for finance to post it).",
    HandOverPayload,
    "Ticket {number}: credit note {record_number} requested",
)
RETURN_REQUESTED = _define(
    "support.return_requested",
    "An agent asked sales to take goods back for an order.",
    HandOverPayload,
    "Ticket {number}: return requested for order {record_number}",
)
RETURN_OPENED = _define(
    "support.return_opened",
    "Sales opened the return a ticket asked for.",
    HandOverPayload,
    "Ticket {number}: return {record_number} opened",
)
