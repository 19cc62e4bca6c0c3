"""Support models; each module holds one aggregate family."""

from spona.front.support.models.chat import ChatLine, ChatSession
from spona.front.support.models.handovers import ReturnRequest
from spona.front.support.models.knowledge import Article, ArticleVersion, Category
from spona.front.support.models.queues import Queue, QueueMember
from spona.front.support.models.sla import BusinessCalendar, Holiday, SlaPolicy
from spona.front.support.models.tickets import (
    Attachment,
    InboundMail,
    Macro,
    Message,
    Satisfaction,
    Ticket,
    TicketLink,
    TicketViewer,
    TimeEntry,
)

__all__ = [
    "Article",
    "ArticleVersion",
    "Attachment",
    "BusinessCalendar",
    "Category",
    "ChatLine",
    "ChatSession",
    "Holiday",
    "InboundMail",
    "Macro",
    "Message",
    "Queue",
    "QueueMember",
    "ReturnRequest",
    "Satisfaction",
    "SlaPolicy",
    "Ticket",
    "TicketLink",
    "TicketViewer",
    "TimeEntry",
]
