"""Live chat: a visitor starts a chat, an agent takes it, both write, and the transcript becomes a
ticket (channel chat) when the chat ends or the agent makes one.

The visitor has no login: the public page and the WebSocket hold a signed chat token
(``chat_token``), which is their permission to write in that one chat. Agents need
support.manage in the chat's company. Lines are plain text; they are escaped wherever shown.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core import signing
from django.utils import timezone

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import ApplicationError, NotFound, StateError, ValidationFailed
from spona.core.models import Company, User
from spona.core.validation import normalise_email
from spona.front.support import bodies, live
from spona.front.support.models import ChatLine, ChatSession, Message, Ticket
from spona.front.support.services import sla
from spona.front.support.services.common import agent, locked, publish
from spona.front.support.services.mail_in import customer_for_address
from spona.front.support.services.tickets import TicketInput, open_ticket, portal_party

MAX_LINE = 2000
TOKEN_SALT = "support.chat"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE = 24 * 3600
# A person types a few lines a minute; more is a script flooding the agents.
VISITOR_LINES_PER_MINUTE = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ChatRateLimited(ApplicationError):
    status = 429
    code = "chat_rate_limited"


def chat_token(session: ChatSession) -> str:
    """The visitor's signed permission to read and write in this one chat (valid a day)."""
    return signing.dumps({"s": session.pk, "c": session.company_id}, salt=TOKEN_SALT)


def session_of_token(token: str) -> ChatSession:
    """The chat a token opens; NotFound for a forged, altered or expired token."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        raise NotFound("This chat link is not valid.") from None
    session = ChatSession.objects.filter(pk=data.get("s"), company_id=data.get("c")).select_related("company").first()
    if session is None:
        raise NotFound("This chat link is not valid.")
    return session


def clean_line(text: str) -> str:
    """Plain text without control characters, at most MAX_LINE characters; ValidationFailed if empty."""
    cleaned = _CONTROL.sub("", text or "").strip()[:MAX_LINE]
    if not cleaned:
        raise ValidationFailed("Write a message.", field_errors={"text": ["Empty message."]})
    return cleaned


def _locked_session(company: Company, session_id: int) -> ChatSession:
    session = ChatSession.objects.select_for_update().filter(pk=session_id, company=company).first()
    if session is None:
        raise NotFound("No such chat.")
    return session


def _add_line(session: ChatSession, sender: str, text: str, author: User | None, name: str) -> ChatLine:
    line = ChatLine.objects.create(session=session, sender=sender, author=author, text=text)
    live.announce(session.pk, live.line_event(line, name))
    return line


@service_atomic
def chat_start(*, company: Company, name: str, email: str, text: str, portal_user: User | None = None) -> ChatSession:
    """Open a chat from the help centre; it waits for an agent.

    A portal user chats as their organisation (name and e-mail from their login); anyone else
    gives a name and an e-mail, matched to a party when the chat becomes a ticket. Raises
    ValidationFailed for a missing name, a bad address or an empty first message.
    """
    errors: dict[str, list[str]] = {}
    party = None
    if portal_user is not None:
        party = portal_party(portal_user, company)
        name, email = portal_user.full_name or portal_user.email, portal_user.email
    name = _CONTROL.sub("", name or "").strip()[:120]
    if not name:
        errors["name"] = ["Give your name."]
    try:
        address = normalise_email(email)
    except Exception:
        address = ""
        errors["email"] = ["Give a valid e-mail address."]
    try:
        first = clean_line(text)
    except ValidationFailed:
        errors["text"] = ["Write your question."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    session = ChatSession.objects.create(
        company=company, visitor_name=name, visitor_email=address, party=party, portal_user=portal_user
    )
    ChatLine.objects.create(session=session, sender=ChatLine.Sender.VISITOR, text=first)
    return session


@service_atomic
def chat_visitor_say(*, session_id: int, text: str) -> ChatLine:
    """Add the visitor's line (the caller checked their token).

    Raises StateError once the chat ended, ChatRateLimited above VISITOR_LINES_PER_MINUTE.
    """
    session = ChatSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such chat.")
    if session.is_ended():
        raise StateError("This chat has ended.")
    recent = ChatLine.objects.filter(
        session=session, sender=ChatLine.Sender.VISITOR, created_at__gte=timezone.now() - dt.timedelta(minutes=1)
    ).count()
    if recent >= VISITOR_LINES_PER_MINUTE:
        raise ChatRateLimited("You are writing too fast; wait a moment.")
    return _add_line(session, ChatLine.Sender.VISITOR, clean_line(text), None, session.visitor_name)


@service_atomic
def chat_agent_say(*, actor: User, company: Company, session_id: int, text: str) -> ChatLine:
    """Add an agent's line; the first agent to write in a waiting chat takes it."""
    agent(actor, company)
    session = _locked_session(company, session_id)
    if session.is_ended():
        raise StateError("This chat has ended.")
    if session.status == ChatSession.Status.WAITING:
        session.status = ChatSession.Status.ACTIVE
        session.agent = actor
        session.save(update_fields=["status", "agent", "updated_at"])
        live.announce(session.pk, live.status_event(session))
    return _add_line(session, ChatLine.Sender.AGENT, clean_line(text), actor, actor.full_name)


def _transcript(lines: list[ChatLine], session: ChatSession) -> str:
    names = {ChatLine.Sender.VISITOR: session.visitor_name, ChatLine.Sender.SYSTEM: "Spona"}
    return "\n".join(
        f"[{timezone.localtime(x.created_at):%H:%M}] {x.author.full_name if x.author else names.get(x.sender, '')}: {x.text}"
        for x in lines
    )


def _transcribe(actor: User | None, session: ChatSession) -> Ticket | None:
    """Put the lines not yet on the ticket onto it (opening the ticket the first time)."""
    lines = list(session.lines.filter(pk__gt=session.transcribed_upto).select_related("author"))
    if not lines:
        return session.ticket
    company = session.company
    text = _transcript(lines, session)
    if session.ticket_id is None:
        if session.party_id:
            organisation, person = session.party, None
        else:
            organisation, person = customer_for_address(company, session.visitor_email, session.visitor_name)
        first = next((x.text for x in lines if x.sender == ChatLine.Sender.VISITOR), "")
        ticket = open_ticket(
            actor=actor,
            company=company,
            data=TicketInput(
                subject=f"Chat: {' '.join(first.split())[:200] or session.visitor_name}",
                text=text,
                party_id=(organisation or person).pk,
                contact_id=person.pk if organisation is not None and person is not None and organisation != person else None,
                requester_email=session.visitor_email,
                channel=Ticket.Channel.CHAT,
                assignee_id=session.agent_id,
            ),
        )
        if any(x.sender == ChatLine.Sender.AGENT for x in lines):
            # The agent already answered in the chat: that is the first response.
            sla.on_agent_reply(ticket, timezone.now())
            ticket.status = Ticket.Status.OPEN
            ticket.save()
        session.ticket = ticket
    else:
        ticket = locked(company, session.ticket_id)
        Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.NOTE,
            author=actor,
            body_text=f"Chat continued:\n{text}",
            body_html=bodies.text_to_html(f"Chat continued:\n{text}"),
        )
    session.transcribed_upto = lines[-1].pk
    session.save(update_fields=["ticket", "transcribed_upto", "updated_at"])
    return ticket


@service_atomic
def chat_make_ticket(*, actor: User, company: Company, session_id: int) -> Ticket:
    """Turn the conversation so far into a ticket (channel chat, the party matched by e-mail, the
    SLA policy that matches); the chat goes on, and later lines join the ticket when it ends."""
    agent(actor, company)
    session = _locked_session(company, session_id)
    ticket = _transcribe(actor, session)
    if ticket is None:
        raise StateError("The chat has no messages yet.")
    audit.record(actor=actor, target=ticket, action="chat_transcribed", changes={"chat": [None, session.pk]})
    live.announce(session.pk, live.status_event(session))
    return ticket


@service_atomic
def chat_end(*, actor: User | None, company: Company, session_id: int) -> ChatSession:
    """End the chat (the visitor, with no actor, or an agent) and file its transcript on a ticket.

    Ending twice is harmless: the second call changes nothing.
    """
    agent(actor, company)
    session = _locked_session(company, session_id)
    if session.is_ended():
        return session
    ended_by = actor.full_name if actor else session.visitor_name
    ChatLine.objects.create(session=session, sender=ChatLine.Sender.SYSTEM, text=f"{ended_by} ended the chat.")
    _transcribe(actor, session)
    session.status = ChatSession.Status.ENDED
    session.ended_at = timezone.now()
    session.save(update_fields=["status", "ended_at", "updated_at"])
    if session.ticket is not None:
        publish("support.chat_ended", session.ticket, actor, chat_id=session.pk)
    live.announce(session.pk, live.status_event(session))
    return session


def chat_end_idle(*, idle_minutes: int = 30, limit: int = 200) -> int:
    """End chats nobody wrote in for ``idle_minutes`` (the visitor closed the page); the scheduled job."""
    cutoff = timezone.now() - dt.timedelta(minutes=idle_minutes)
    idle = (
        ChatSession.objects.exclude(status=ChatSession.Status.ENDED)
        .filter(updated_at__lt=cutoff)
        .exclude(lines__created_at__gte=cutoff)
        .select_related("company")
        .order_by("id")[:limit]
    )
    ended = 0
    for session in list(idle):
        chat_end(actor=None, company=session.company, session_id=session.pk)
        ended += 1
    return ended
