"""One support record of every kind, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spona.core.models import Company
from spona.front.support import services
from spona.front.support.models import Article, Attachment, ChatSession, Message, ReturnRequest, Ticket
from tests.factories import member, party

SENTINEL = "Sentinel Victim"
API_GROUP = "support"
PK_OF = {
    "support:ticket_": "support_ticket_id",
    "support:attachment_": "support_attachment_id",
    "support:article_": "support_article_id",
    "support:chat_": "support_chat_id",
    "support:return_request_": "support_return_request_id",
}
PUBLIC_PAGES = (
    "support_public:csat",
    "support_public:help_index",
    "support_public:contact",
    "support_public:help_article",
    "support_public:help_feedback",
    "support_public:chat",
    "support_public:chat_end",
)


def records(company: Company) -> dict[str, int]:
    """Create a ticket with a reply and an attachment, and an internal article, carrying the sentinel."""
    agent = member(company, "support", full_name=f"{SENTINEL} Agent")
    customer = party(company, f"{SENTINEL} Customer")
    ticket = services.ticket_create(
        actor=agent,
        company=company,
        data=services.TicketInput(subject=f"{SENTINEL} Ticket", text=f"{SENTINEL} message", party_id=customer.pk),
    )
    reply = services.ticket_reply(
        actor=agent,
        company=company,
        ticket_id=ticket.pk,
        text=f"{SENTINEL} note",
        note=True,
        attachments=[services.AttachmentIn(f"{SENTINEL}.txt", "text/plain", SENTINEL.encode())],
    )
    article = services.article_create(actor=agent, company=company, title=f"{SENTINEL} Article", body_markdown=SENTINEL)
    # A return request names its order by id; sales checks the order only when it opens the return.
    services.ticket_link(actor=agent, company=company, ticket_id=ticket.pk, record_type="sales.order", record_id=987654)
    asked = services.ticket_request_return(
        actor=agent, company=company, ticket_id=ticket.pk, order_id=987654, reason=f"{SENTINEL} return"
    )
    chat = services.chat_start(company=company, name=f"{SENTINEL} Visitor", email="victim@example.test", text=SENTINEL)
    return {
        "support_ticket_id": ticket.pk,
        "support_ticket_version": Ticket.objects.get(pk=ticket.pk).version,
        "support_attachment_id": Attachment.objects.get(message=reply).pk,
        "support_article_id": article.pk,
        "support_chat_id": chat.pk,
        "support_return_request_id": asked.pk,
        # the names of the API's path parameters
        "ticket_id": ticket.pk,
        "article_id": article.pk,
        "chat_id": chat.pk,
    }


# A valid body per support operation that takes one; ``ids`` are the victim company's records.
SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_support_ticket": lambda ids: {"subject": "Planted", "text": "Planted"},
    "reply_support_ticket": lambda ids: {"text": "Planted"},
    "set_support_ticket_status": lambda ids: {"status": "solved"},
    "assign_support_ticket": lambda ids: {"assignee_id": None},
    "create_support_article": lambda ids: {"title": "Planted", "body_markdown": "Planted"},
    "post_support_chat_message": lambda ids: {"text": "Planted"},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's support records are as records() made them, and nothing was planted."""
    ticket = Ticket.objects.get(pk=ids["support_ticket_id"])
    assert (ticket.subject, ticket.status, ticket.version) == (f"{SENTINEL} Ticket", "new", ids["support_ticket_version"])
    assert Message.objects.filter(ticket=ticket).count() == 3  # the message, the note, the return request's note
    assert Article.objects.get(pk=ids["support_article_id"]).version == 1
    assert not Ticket.objects.filter(company_id=ticket.company_id, subject="Planted").exists()
    assert not Article.objects.filter(company_id=ticket.company_id, title="Planted").exists()
    assert ReturnRequest.objects.get(pk=ids["support_return_request_id"]).status == ReturnRequest.Status.REQUESTED
    chat = ChatSession.objects.get(pk=ids["support_chat_id"])
    assert (chat.status, chat.ticket_id, chat.lines.count()) == (ChatSession.Status.WAITING, None, 1)
