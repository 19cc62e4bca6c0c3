"""WebSocket addresses of support (the live chat), mounted by spona.asgi."""

from django.urls import path

from spona.front.support.consumers import AgentChatConsumer, VisitorChatConsumer

websocket_urlpatterns = [
    path("ws/support/chat/", VisitorChatConsumer.as_asgi()),
    path("ws/support/agent/chats/<int:session_id>/", AgentChatConsumer.as_asgi()),
]
