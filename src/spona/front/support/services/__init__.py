"""Commands of support: the only code that changes tickets, queues, SLA settings and articles.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company (channels that are their own permission, such as mail-in and the web form, pass no
actor), validates, writes the audit trail and publishes its events. Other apps, and the
customer portal, import this package (``from spona.front.support import services``).
"""

from spona.front.support.services.chat import (
    ChatRateLimited,
    chat_agent_say,
    chat_end,
    chat_end_idle,
    chat_make_ticket,
    chat_start,
    chat_token,
    chat_visitor_say,
    session_of_token,
)
from spona.front.support.services.csat import satisfaction_record, send_survey, survey_token, survey_urls
from spona.front.support.services.handovers import (
    return_request_open,
    ticket_request_credit_note,
    ticket_request_return,
    ticket_split,
)
from spona.front.support.services.knowledge import article_create, article_feedback, article_update, category_create
from spona.front.support.services.macros import macro_create, macro_render
from spona.front.support.services.mail_in import mail_receive, web_ticket_create
from spona.front.support.services.messages import (
    AttachmentIn,
    send_pending_replies,
    send_reply,
    ticket_reply,
)
from spona.front.support.services.queues import choose_agent, queue_create, queue_set_members
from spona.front.support.services.sla import calendar_create, policy_create, sla_check
from spona.front.support.services.tickets import (
    TicketInput,
    portal_party,
    portal_reply,
    portal_ticket_create,
    ticket_assign,
    ticket_create,
    ticket_link,
    ticket_merge,
    ticket_set_parent,
    ticket_set_status,
    ticket_update,
    time_log,
    viewer_heartbeat,
)

__all__ = [
    "AttachmentIn",
    "ChatRateLimited",
    "TicketInput",
    "article_create",
    "article_feedback",
    "article_update",
    "calendar_create",
    "category_create",
    "chat_agent_say",
    "chat_end",
    "chat_end_idle",
    "chat_make_ticket",
    "chat_start",
    "chat_token",
    "chat_visitor_say",
    "choose_agent",
    "macro_create",
    "macro_render",
    "mail_receive",
    "policy_create",
    "portal_party",
    "portal_reply",
    "portal_ticket_create",
    "queue_create",
    "queue_set_members",
    "return_request_open",
    "satisfaction_record",
    "send_pending_replies",
    "send_reply",
    "send_survey",
    "session_of_token",
    "sla_check",
    "survey_token",
    "survey_urls",
    "ticket_assign",
    "ticket_create",
    "ticket_link",
    "ticket_merge",
    "ticket_reply",
    "ticket_request_credit_note",
    "ticket_request_return",
    "ticket_set_parent",
    "ticket_set_status",
    "ticket_split",
    "ticket_update",
    "time_log",
    "viewer_heartbeat",
    "web_ticket_create",
]
