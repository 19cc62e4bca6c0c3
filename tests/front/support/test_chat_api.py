"""The live chat's REST endpoints for agents: list, read, write (reaching the WebSockets), close, make a ticket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spona.front.support import live, services
from spona.front.support.models import ChatSession, Ticket
from tests.api.conftest import API, assert_problem
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def start(company, email="jovana@bora.rs", text="My order did not arrive"):
    return services.chat_start(company=company, name="Jovana Petrović", email=email, text=text)


def in_thread(fn, *args):
    # The channel layer's calls and async_to_sync run on a thread of their own, away from any
    # event loop a browser journey may have left running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def test_agents_list_chats_by_status_a_page_at_a_time(company, agent, api_as):
    # given three waiting chats and one an agent answered
    chats = [start(company, email=f"c{i}@bora.rs") for i in range(4)]
    services.chat_agent_say(actor=agent, company=company, session_id=chats[0].pk, text="Hello")
    client = api_as(agent)
    # when the agent lists the waiting ones two at a time
    first = client.get(f"{API}/support/chats", {"status": "waiting", "limit": 2}).json()
    second = client.get(f"{API}/support/chats", {"status": "waiting", "limit": 2, "cursor": first["next_cursor"]}).json()
    # then they get them newest first, across two pages, without the answered one
    assert [c["id"] for c in first["items"] + second["items"]] == [chats[3].pk, chats[2].pk, chats[1].pk]
    assert second["next_cursor"] is None
    active = client.get(f"{API}/support/chats", {"status": "active"}).json()["items"]
    assert [(c["id"], c["agent_id"], c["status"]) for c in active] == [(chats[0].pk, agent.pk, "active")]


def test_the_chat_list_costs_the_same_queries_for_one_chat_or_twenty(company, agent, api_as):
    client = api_as(agent)
    start(company)
    client.get(f"{API}/support/chats")  # the token's first use of the minute is stamped; not the list's cost
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}/support/chats").status_code == 200
    for i in range(19):
        services.chat_make_ticket(actor=agent, company=company, session_id=start(company, email=f"c{i}@bora.rs").pk)
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(f"{API}/support/chats").json()["items"]) == 20
    # authentication and the page of chats with their tickets: no query per chat
    assert len(twenty) == len(one) == 5


def test_an_agent_reads_a_chat_with_its_lines_and_answers_it_live(company, agent, api_as, django_capture_on_commit_callbacks):
    chat = start(company)
    client = api_as(agent)
    # given someone (the visitor's page) listening on the chat's group
    layer = get_channel_layer()
    channel = in_thread(async_to_sync(layer.new_channel))
    in_thread(async_to_sync(layer.group_add), live.chat_group(chat.pk), channel)
    # when the agent posts a line through the API
    with django_capture_on_commit_callbacks() as after_commit:
        response = client.post(
            f"{API}/support/chats/{chat.pk}/messages", {"text": "Hello Jovana"}, content_type="application/json"
        )
    for callback in after_commit:
        in_thread(callback)
    # then the line is stored, the chat is theirs, and the listener got the status and the line
    assert response.status_code == 201, response.content
    line = response.json()
    assert (line["sender"], line["name"], line["text"], line["author_id"]) == ("agent", "Sara Support", "Hello Jovana", agent.pk)
    received = [in_thread(async_to_sync(layer.receive), channel)["event"] for _ in range(2)]
    assert received[0] == {"kind": "status", "status": "active", "ticket": ""}
    assert received[1]["kind"] == "line" and received[1]["text"] == "Hello Jovana" and received[1]["id"] == line["id"]
    # and reading the chat shows both lines, oldest first, with who wrote them
    detail = client.get(f"{API}/support/chats/{chat.pk}").json()
    assert detail["chat"]["status"] == "active" and detail["chat"]["agent_id"] == agent.pk
    assert [(x["sender"], x["name"], x["text"]) for x in detail["lines"]] == [
        ("visitor", "Jovana Petrović", "My order did not arrive"),
        ("agent", "Sara Support", "Hello Jovana"),
    ]


def test_make_a_ticket_then_close_the_chat(company, agent, api_as):
    chat = start(company)
    client = api_as(agent)
    client.post(f"{API}/support/chats/{chat.pk}/messages", {"text": "Let me check."}, content_type="application/json")
    # when the agent makes a ticket from the transcript
    response = client.post(f"{API}/support/chats/{chat.pk}/ticket")
    assert response.status_code == 201, response.content
    ticket = response.json()
    assert ticket["channel"] == "chat" and ticket["subject"] == "Chat: My order did not arrive"
    # and closes the chat (twice: the second changes nothing)
    closed = client.post(f"{API}/support/chats/{chat.pk}/close").json()
    assert client.post(f"{API}/support/chats/{chat.pk}/close").json() == closed
    assert (closed["status"], closed["ticket_id"], closed["ticket_number"]) == ("ended", ticket["id"], ticket["number"])
    assert closed["ended_at"] is not None
    # then an ended chat takes no more lines (409) and the transcript is on the ticket
    response = client.post(f"{API}/support/chats/{chat.pk}/messages", {"text": "Still there?"}, content_type="application/json")
    assert_problem(response, 409, "invalid_state")
    assert Ticket.objects.get(pk=ticket["id"]).messages.count() == 2  # the transcript, then the closing lines as a note


def test_closing_a_chat_without_a_ticket_files_one(company, agent, api_as):
    chat = start(company)
    closed = api_as(agent).post(f"{API}/support/chats/{chat.pk}/close").json()
    assert closed["status"] == "ended" and closed["ticket_number"]


def test_another_companys_chat_is_not_found_and_a_role_without_support_is_forbidden(company, other_company, api_as):
    chat = start(company)
    stranger = api_as(member(other_company, "support"), in_company=other_company)
    for method, path, body in (
        ("get", f"/support/chats/{chat.pk}", None),
        ("post", f"/support/chats/{chat.pk}/messages", {"text": "Hi"}),
        ("post", f"/support/chats/{chat.pk}/close", None),
        ("post", f"/support/chats/{chat.pk}/ticket", None),
    ):
        assert_problem(getattr(stranger, method)(f"{API}{path}", body, content_type="application/json"), 404, "not_found")
    seller = api_as(member(company, "sales"))
    assert_problem(seller.get(f"{API}/support/chats"), 403, "permission_denied")
    assert_problem(seller.get(f"{API}/support/chats/{chat.pk}"), 403, "permission_denied")
    response = seller.post(f"{API}/support/chats/{chat.pk}/messages", {"text": "Hi"}, content_type="application/json")
    assert_problem(response, 403, "permission_denied")
    # and nothing happened to the chat
    chat.refresh_from_db()
    assert (chat.status, chat.ticket_id, chat.lines.count()) == (ChatSession.Status.WAITING, None, 1)


def test_an_empty_or_too_long_line_is_refused_with_field_errors(company, agent, api_as):
    chat = start(company)
    client = api_as(agent)
    for text in ("", "x" * 2001):
        response = client.post(f"{API}/support/chats/{chat.pk}/messages", {"text": text}, content_type="application/json")
        assert "text" in assert_problem(response, 422)["errors"]
    assert_problem(client.get(f"{API}/support/chats", {"status": "lost"}), 422)
