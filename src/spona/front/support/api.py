"""The support REST endpoints under /api/v1/support/: tickets (list, create, get, thread, reply,
status, assign), knowledge-base articles and live chats (list, read, write, close, make a ticket).

Thin by rule: each endpoint parses an explicit input schema, calls one support service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields (SEC2): number, status, SLA times and company come from the services.
Another company's ticket answers 404, a transition the status does not allow 409, invalid input
422 with field errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from spona.core.api import Id, Input, Text
from spona.core.models import Company, User
from spona.front.support import selectors, services
from spona.front.support.models import Article, ChatLine, ChatSession, Message, Ticket

router = Router(tags=["support"])

TicketStatus = Literal[tuple(Ticket.Status.values)]  # type: ignore[valid-type]
Channel = Literal[tuple(Ticket.Channel.values)]  # type: ignore[valid-type]
Priority = Literal[tuple(Ticket.Priority.values)]  # type: ignore[valid-type]
TicketType = Literal[tuple(Ticket.Type.values)]  # type: ignore[valid-type]
MessageKind = Literal[tuple(Message.Kind.values)]  # type: ignore[valid-type]
Visibility = Literal[tuple(Article.Visibility.values)]  # type: ignore[valid-type]
SlaState = Literal["ok", "warning", "breached", "paused", "none"]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class TicketOut(Schema):
    id: int
    number: str
    subject: str
    status: TicketStatus
    channel: Channel
    priority: Priority
    type: TicketType
    tags: list[str]
    party_id: int | None
    contact_id: int | None
    requester_email: str
    queue_id: int | None
    assignee_id: int | None
    parent_id: int | None
    sla_policy_id: int | None
    sla_state: SlaState
    sla_due_at: dt.datetime | None
    first_response_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolution_due: dt.datetime | None
    solved_at: dt.datetime | None
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_sla_state(obj: Ticket) -> str:
        return obj.sla_state(timezone.now())


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class TicketFilters(Schema):
    q: Text = Field("", max_length=100)
    status: TicketStatus | None = None
    open_only: bool = False
    queue_id: Id | None = None
    assignee_id: Id | None = None
    party_id: Id | None = None
    priority: Priority | None = None
    sla: Literal["ok", "warning", "breached", "paused"] | None = None
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class TicketIn(Input):
    subject: Text = Field(min_length=1, max_length=250)
    text: Text = Field("", max_length=50000)
    party_id: Id | None = None
    contact_id: Id | None = None
    requester_email: Text = Field("", max_length=254)
    channel: Channel = "api"
    queue_id: Id | None = None
    priority: Priority = "normal"
    type: TicketType = "question"
    tags: list[Text] = Field(default_factory=list, max_length=20)
    skills: list[Text] = Field(default_factory=list, max_length=20)
    parent_id: Id | None = None
    assignee_id: Id | None = None


class MessageOut(Schema):
    id: int
    kind: MessageKind
    author_id: int | None
    author_party_id: int | None
    from_email: str
    body_html: str = Field(description="Sanitised HTML.")
    body_text: str
    created_at: dt.datetime


class ReplyIn(Input):
    text: Text = Field(min_length=1, max_length=50000)
    note: bool = False
    status: TicketStatus | None = None


class StatusIn(Input):
    status: TicketStatus


class AssignIn(Input):
    assignee_id: Id | None = None
    queue_id: Id | None = None


@router.get("/tickets", response=TicketPage)
def list_support_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> Any:
    """List tickets newest first, by text, status, queue, agent, customer, priority and SLA state."""
    user, company = _caller(request)
    page = selectors.ticket_list(
        user=user, company=company, q=filters.q, status=filters.status or "", open_only=filters.open_only,
        queue_id=filters.queue_id, assignee_id=filters.assignee_id, party_id=filters.party_id,
        priority=filters.priority or "", sla=filters.sla or "", cursor=filters.cursor, limit=filters.limit,
    )  # fmt: skip
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/tickets", response={201: TicketOut})
def create_support_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    """Open a ticket; the SLA policy, queue and agent are chosen as for every channel."""
    user, company = _caller(request)
    return Status(201, services.ticket_create(actor=user, company=company, data=services.TicketInput(**payload.model_dump())))


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_support_ticket(request: HttpRequest, ticket_id: Id) -> Any:
    """Return one ticket with its SLA state."""
    user, company = _caller(request)
    return selectors.ticket_get(user=user, company=company, ticket_id=ticket_id)


@router.get("/tickets/{ticket_id}/messages", response=list[MessageOut])
def list_support_ticket_messages(request: HttpRequest, ticket_id: Id) -> Any:
    """The ticket's conversation, oldest first (internal notes included)."""
    user, company = _caller(request)
    ticket = selectors.ticket_get(user=user, company=company, ticket_id=ticket_id)
    return selectors.ticket_thread(user=user, company=company, ticket=ticket)


@router.post("/tickets/{ticket_id}/messages", response={201: MessageOut})
def reply_support_ticket(request: HttpRequest, ticket_id: Id, payload: ReplyIn) -> Any:
    """Reply (e-mailed to the requester) or add an internal note; optionally set the status too."""
    user, company = _caller(request)
    message = services.ticket_reply(
        actor=user, company=company, ticket_id=ticket_id, text=payload.text, note=payload.note, status=payload.status or ""
    )
    return Status(201, message)


@router.post("/tickets/{ticket_id}/status", response=TicketOut)
def set_support_ticket_status(request: HttpRequest, ticket_id: Id, payload: StatusIn) -> Any:
    """Move a ticket to another status; a parent with open children cannot be solved (409)."""
    user, company = _caller(request)
    return services.ticket_set_status(actor=user, company=company, ticket_id=ticket_id, status=payload.status)


@router.post("/tickets/{ticket_id}/assign", response=TicketOut)
def assign_support_ticket(request: HttpRequest, ticket_id: Id, payload: AssignIn) -> Any:
    """Give the ticket to an agent (or nobody), optionally in another queue."""
    user, company = _caller(request)
    return services.ticket_assign(
        actor=user, company=company, ticket_id=ticket_id, assignee_id=payload.assignee_id, queue_id=payload.queue_id
    )


# Knowledge base ----------------------------------------------------------------------------------


class ArticleOut(Schema):
    id: int
    title: str
    slug: str
    language: str
    category_id: int | None
    visibility: Visibility
    is_published: bool
    body_markdown: str
    body_html: str = Field(description="Rendered and sanitised HTML.")
    version: int
    helpful_yes: int
    helpful_no: int


class ArticleIn(Input):
    title: Text = Field(min_length=1, max_length=200)
    body_markdown: str = Field(min_length=1, max_length=200000)
    category_id: Id | None = None
    visibility: Visibility = "internal"
    language: Text = Field("en", min_length=2, max_length=10)
    is_published: bool = False


class ArticleFilters(Schema):
    q: Text = Field("", max_length=200)
    language: Text = Field("", max_length=10)


@router.get("/articles", response=list[ArticleOut])
def list_support_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    """Search the knowledge base (every word in the title or text)."""
    user, company = _caller(request)
    return selectors.article_list(user=user, company=company, q=filters.q, language=filters.language)


@router.post("/articles", response={201: ArticleOut})
def create_support_article(request: HttpRequest, payload: ArticleIn) -> Any:
    """Write an article; the Markdown is rendered and sanitised once, on save."""
    user, company = _caller(request)
    return Status(201, services.article_create(actor=user, company=company, **payload.model_dump()))


@router.get("/articles/{article_id}", response=ArticleOut)
def get_support_article(request: HttpRequest, article_id: Id) -> Any:
    user, company = _caller(request)
    return selectors.article_get(user=user, company=company, article_id=article_id)


# Live chat ---------------------------------------------------------------------------------------
# The same services as the agents' chat pages and WebSockets: a line posted here reaches the
# visitor's and the agents' open sockets through the chat's channel-layer group.

ChatStatus = Literal[tuple(ChatSession.Status.values)]  # type: ignore[valid-type]
ChatSender = Literal[tuple(ChatLine.Sender.values)]  # type: ignore[valid-type]


class ChatOut(Schema):
    id: int
    status: ChatStatus
    visitor_name: str
    visitor_email: str
    party_id: int | None
    agent_id: int | None
    ticket_id: int | None
    ticket_number: str | None = Field(description="The ticket holding the transcript, once there is one.")
    created_at: dt.datetime
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_ticket_number(obj: ChatSession) -> str | None:
        return obj.ticket.number if obj.ticket_id and obj.ticket else None


class ChatPage(Schema):
    items: list[ChatOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class ChatFilters(Schema):
    status: ChatStatus | None = None
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class ChatLineOut(Schema):
    id: int
    sender: ChatSender
    author_id: int | None
    name: str = Field(description="Who wrote it: the agent's or the visitor's name, or Spona for notices.")
    text: str = Field(description="Plain text: show it as text, never as HTML.")
    created_at: dt.datetime


class ChatDetailOut(Schema):
    chat: ChatOut
    lines: list[ChatLineOut]


class ChatLineIn(Input):
    text: Text = Field(min_length=1, max_length=2000)


@router.get("/chats", response=ChatPage)
def list_support_chats(request: HttpRequest, filters: Query[ChatFilters]) -> Any:
    """List chats newest first, optionally only the waiting, active or ended ones."""
    user, company = _caller(request)
    page = selectors.chat_page(
        user=user, company=company, status=filters.status or "", cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/chats/{chat_id}", response=ChatDetailOut)
def get_support_chat(request: HttpRequest, chat_id: Id) -> Any:
    """Return one chat with all its lines, oldest first."""
    user, company = _caller(request)
    chat = selectors.chat_get(user=user, company=company, session_id=chat_id)
    return {"chat": chat, "lines": selectors.chat_lines(user=user, company=company, session=chat)}


@router.post("/chats/{chat_id}/messages", response={201: ChatLineOut})
def post_support_chat_message(request: HttpRequest, chat_id: Id, payload: ChatLineIn) -> Any:
    """Write to the visitor as the calling agent; the first agent to write in a waiting chat takes it.

    The line reaches the visitor's open chat at once. An ended chat answers 409.
    """
    user, company = _caller(request)
    line = services.chat_agent_say(actor=user, company=company, session_id=chat_id, text=payload.text)
    line.name = user.full_name  # type: ignore[attr-defined]
    return Status(201, line)


@router.post("/chats/{chat_id}/close", response=ChatOut)
def close_support_chat(request: HttpRequest, chat_id: Id) -> Any:
    """End the chat and file its transcript on its ticket (made now if there is none); closing twice changes nothing."""
    user, company = _caller(request)
    services.chat_end(actor=user, company=company, session_id=chat_id)
    return selectors.chat_get(user=user, company=company, session_id=chat_id)


@router.post("/chats/{chat_id}/ticket", response={201: TicketOut})
def make_support_chat_ticket(request: HttpRequest, chat_id: Id) -> Any:
    """Turn the conversation so far into a ticket (channel chat); later lines join it when the chat ends."""
    user, company = _caller(request)
    return Status(201, services.chat_make_ticket(actor=user, company=company, session_id=chat_id))
