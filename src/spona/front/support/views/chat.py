"""Agents' live chat screens: the chats waiting and in conversation, and one chat to answer live."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError
from spona.front.support import selectors, services
from spona.front.support.views.common import caller, crumbs
from spona.web.views.base import company_view


@require_GET
@company_view("support.manage")
def chat_list(request: HttpRequest) -> HttpResponse:
    """Waiting chats first; htmx refreshes the list every few seconds."""
    user, company = caller(request)
    context = {"chats": selectors.chat_list(user=user, company=company), "breadcrumbs": crumbs("chats")}
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "support/partials/_chat_rows.html", context)
    return render(request, "support/chat_list.html", context)


@require_GET
@company_view("support.manage")
def chat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One chat: the transcript and the answer box, live over a WebSocket."""
    user, company = caller(request)
    chat = selectors.chat_get(user=user, company=company, session_id=pk)
    return render(
        request,
        "support/chat_detail.html",
        {
            "chat": chat,
            "socket": f"/ws/support/agent/chats/{chat.pk}/",
            "breadcrumbs": crumbs("chats", (chat.visitor_name, None)),
        },
    )


@require_POST
@company_view("support.manage")
def chat_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a ticket of the conversation so far and open it."""
    user, company = caller(request)
    selectors.chat_get(user=user, company=company, session_id=pk)  # another company's chat is a 404
    try:
        ticket = services.chat_make_ticket(actor=user, company=company, session_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("support:chat_detail", pk=pk)
    messages.success(request, _("Ticket %(number)s made from the chat.") % {"number": ticket.number})
    return redirect("support:ticket_detail", pk=ticket.pk)


@require_POST
@company_view("support.manage")
def chat_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End the chat; its transcript is filed on the chat's ticket."""
    user, company = caller(request)
    selectors.chat_get(user=user, company=company, session_id=pk)  # another company's chat is a 404
    try:
        chat = services.chat_end(actor=user, company=company, session_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("support:chat_detail", pk=pk)
    if chat.ticket_id:
        messages.success(request, _("Chat ended and filed on ticket %(number)s.") % {"number": chat.ticket.number})
        return redirect("support:ticket_detail", pk=chat.ticket_id)
    return redirect("support:chat_list")
