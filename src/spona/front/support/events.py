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
