"""WebSockets of the live chat: the visitor's (a signed chat token) and the agent's (their login).

Both join the chat's group on the channel layer and receive every line and status change the
services announce; what they send goes through the same services as everything else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from spona.core.errors import ApplicationError
from spona.core.permissions import has_perm
from spona.front.support import live, selectors, services
from spona.front.support.models import ChatSession

# Close codes in the private range (4000-4999): the page tells the person what happened.
CLOSE_FORBIDDEN = 4403


class ChatConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """What both sides share: join the chat's group, send the history, relay announced events."""

    session: ChatSession

    async def join(self, session: ChatSession) -> None:
        self.session = session
        self.group = live.chat_group(session.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        for event in await database_sync_to_async(selectors.chat_history)(session=session):
            await self.send_json(event)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def chat_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        # Anything but a JSON text frame gets the same answer as a malformed message, not a crash.
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        text = content.get("text") if isinstance(content, dict) else None
        if not isinstance(text, str):
            await self.send_json({"kind": "error", "message": 'Send a message as {"text": "..."}.'})
            return
        try:
            await database_sync_to_async(self.say)(text)
        except ApplicationError as exc:
            await self.send_json({"kind": "error", "message": exc.message})

    def say(self, text: str) -> None:
        raise NotImplementedError


class VisitorChatConsumer(ChatConsumer):
    """The visitor's side: ``?token=`` is the signed chat token the help centre gave them."""

    async def connect(self) -> None:
        token = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
        try:
            session = await database_sync_to_async(services.session_of_token)(token)
        except ApplicationError:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join(session)

    def say(self, text: str) -> None:
        services.chat_visitor_say(session_id=self.session.pk, text=text)


class AgentChatConsumer(ChatConsumer):
    """An agent's side of one chat: logged in, with support.manage in the chat's company."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        session = await database_sync_to_async(_agent_session)(user, session_id)
        if session is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        await self.join(session)

    def say(self, text: str) -> None:
        services.chat_agent_say(actor=self.user, company=self.session.company, session_id=self.session.pk, text=text)


def _agent_session(user: Any, session_id: int) -> ChatSession | None:
    """The chat, when the user may answer it; None for anyone else (and for another company's chat)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    session = ChatSession.objects.filter(pk=session_id).select_related("company").first()
    if session is None or not has_perm(user, "support.manage", session.company):
        return None
    return session
