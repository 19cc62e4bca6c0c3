"""A WebSocket test client for the chat consumers.

It does what ``channels.testing.WebsocketCommunicator`` does; that module cannot be imported
here because ``channels.testing`` also loads its live-server helper, which needs daphne, a
package Spona does not install (uvicorn serves the ASGI application).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlparse

from asgiref.testing import ApplicationCommunicator


class Socket(ApplicationCommunicator):  # type: ignore[misc]
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]] | None = None):
        parsed = urlparse(path)
        scope = {
            "type": "websocket",
            "path": unquote(parsed.path),
            "query_string": parsed.query.encode(),
            "headers": headers or [],
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 2) -> tuple[bool, Any]:
        """(True, None) when accepted, (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        assert answer["type"] == "websocket.accept"
        return True, None

    async def send_json_to(self, data: Any) -> None:
        await self.send_text_to(json.dumps(data))

    async def send_text_to(self, text: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text})

    async def receive_json_from(self, timeout: float = 2) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 2) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
