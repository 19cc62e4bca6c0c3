"""Real-time delivery of chat lines over the channel layer (in memory in embedded mode, Redis when
scaled): one group per chat, which the visitor's and the agents' WebSockets join.

Services call ``announce`` inside their transaction; the message goes out only after commit, so
nobody sees a line that was rolled back.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from spona.front.support.models import ChatLine, ChatSession


def chat_group(session_id: int) -> str:
    return f"support.chat.{session_id}"


def line_event(line: ChatLine, name: str) -> dict[str, Any]:
    """The JSON a browser receives for one chat line (text is plain; the page sets it as text, never HTML)."""
    return {
        "kind": "line",
        "id": line.pk,
        "sender": line.sender,
        "name": name,
        "text": line.text,
        "at": line.created_at.isoformat(timespec="seconds"),
    }


def status_event(session: ChatSession) -> dict[str, Any]:
    return {
        "kind": "status",
        "status": session.status,
        "ticket": session.ticket.number if session.ticket_id and session.ticket else "",
    }


def _send(session_id: int, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(chat_group(session_id), {"type": "chat.event", "event": event})


def announce(session_id: int, event: dict[str, Any]) -> None:
    """Send ``event`` to everyone in the chat once the current transaction commits."""
    transaction.on_commit(lambda: _send(session_id, event))
