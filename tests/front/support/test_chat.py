"""Live chat: services (start, lines, rate limit, transcript → ticket) and the WebSockets of both
sides, driven through the ASGI application over the in-memory channel layer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from spona.asgi import application
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.front.support import services
from spona.front.support.models import ChatLine, ChatSession, Message, Ticket
from tests.factories import member, party
from tests.front.support.factories import policy
from tests.front.support.sockets import Socket

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def start(company, text="My order did not arrive", **who):
    who.setdefault("name", "Jovana Petrović")
    who.setdefault("email", "jovana@bora.rs")
    return services.chat_start(company=company, text=text, **who)


def cookie_of(user) -> bytes:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}".encode()


def test_a_chat_starts_waiting_with_the_visitors_first_line(company):
    # when a visitor starts a chat
    chat = start(company)
    # then it waits for an agent with their question as the first line
    assert chat.status == ChatSession.Status.WAITING
    assert list(chat.lines.values_list("sender", "text")) == [("visitor", "My order did not arrive")]


def test_a_chat_needs_a_name_an_address_and_a_question(company):
    with pytest.raises(ValidationFailed) as error:
        services.chat_start(company=company, name=" ", email="not-an-address", text="\x00 ")
    assert set(error.value.field_errors) == {"name", "email", "text"}


def test_a_portal_user_chats_as_their_organisation(company):
    # given a portal user of Bora Trade
    bora = party(company, "Bora Trade d.o.o.")
    portal = member(company, "portal", party=bora, full_name="Jovana Petrović", email="jovana@bora.rs")
    # when they start a chat (whatever name they type)
    chat = services.chat_start(company=company, name="someone else", email="x@y.test", text="Hi", portal_user=portal)
    # then the chat is theirs and their organisation's
    assert (chat.party, chat.visitor_email, chat.visitor_name) == (bora, "jovana@bora.rs", "Jovana Petrović")


def test_a_token_opens_only_its_own_chat(company, other_company):
    chat = start(company)
    assert services.session_of_token(services.chat_token(chat)) == chat
    with pytest.raises(NotFound):
        services.session_of_token(services.chat_token(chat) + "x")
    with pytest.raises(NotFound):
        services.session_of_token("")


def test_a_visitor_writing_too_fast_is_slowed_down(company):
    # given a chat with its first line
    chat = start(company)
    # when the visitor sends 19 more lines within the minute, the next one is refused
    for i in range(services.chat.VISITOR_LINES_PER_MINUTE - 1):
        services.chat_visitor_say(session_id=chat.pk, text=f"line {i}")
    with pytest.raises(services.ChatRateLimited):
        services.chat_visitor_say(session_id=chat.pk, text="one too many")
    assert chat.lines.count() == services.chat.VISITOR_LINES_PER_MINUTE


def test_only_an_agent_of_the_company_answers(company, other_company, agent):
    chat = start(company)
    outsider = member(other_company, "support")
    salesman = member(company, "sales")
    for user in (outsider, salesman):
        with pytest.raises((PermissionDenied, NotFound)):
            services.chat_agent_say(
                actor=user, company=company if user is salesman else other_company, session_id=chat.pk, text="Hi"
            )
    # the first agent to answer takes the chat
    services.chat_agent_say(actor=agent, company=company, session_id=chat.pk, text="Hello, I am looking")
    chat.refresh_from_db()
    assert (chat.status, chat.agent) == (ChatSession.Status.ACTIVE, agent)


def test_ending_files_the_transcript_on_a_chat_ticket_for_the_party_with_the_sla(company, agent):
    # given a known customer with a VIP SLA and a chat the agent answered
    bora = party(company, "Bora Trade d.o.o.", emails=["jovana@bora.rs"], tags=["vip"])
    policy(company, first=15, customer_tag="vip")
    chat = start(company, text="<b>Where</b> is my order?")
    services.chat_agent_say(actor=agent, company=company, session_id=chat.pk, text="It leaves today.")
    # when the visitor ends the chat
    services.chat_end(actor=None, company=company, session_id=chat.pk)
    # then a chat ticket holds the whole transcript, for Bora, answered already, with the VIP policy
    chat.refresh_from_db()
    ticket = chat.ticket
    assert chat.status == ChatSession.Status.ENDED
    assert (ticket.channel, ticket.party, ticket.assignee, ticket.status) == ("chat", bora, agent, Ticket.Status.OPEN)
    assert ticket.sla_policy is not None and ticket.first_responded_at is not None
    body = ticket.messages.get().body_html
    assert "&lt;b&gt;Where&lt;/b&gt;" in body and "It leaves today." in body and "<b>" not in body
    # and ending again changes nothing
    services.chat_end(actor=agent, company=company, session_id=chat.pk)
    assert Ticket.objects.filter(company=company).count() == 1


def test_make_a_ticket_mid_chat_then_later_lines_join_it_as_a_note(company, agent):
    # given a chat in conversation
    chat = start(company, email="new.person@example.test")
    services.chat_agent_say(actor=agent, company=company, session_id=chat.pk, text="Let me file this")
    # when the agent makes a ticket, the talk goes on, and the chat ends
    ticket = services.chat_make_ticket(actor=agent, company=company, session_id=chat.pk)
    services.chat_visitor_say(session_id=chat.pk, text="Thanks!")
    services.chat_end(actor=agent, company=company, session_id=chat.pk)
    # then the unknown visitor became a person, and the rest of the chat is a note on the same ticket
    assert ticket.party.name == "Jovana Petrović"
    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == [Message.Kind.CUSTOMER, Message.Kind.NOTE]
    assert "Thanks!" in ticket.messages.last().body_text
    with pytest.raises(StateError):
        services.chat_visitor_say(session_id=chat.pk, text="hello?")


def test_idle_chats_end_and_are_filed(company, time_machine):
    # given a chat started at noon, and one still going at half past
    time_machine.move_to("2026-03-02 12:00:00+00:00", tick=False)
    chat = start(company)
    time_machine.move_to("2026-03-02 12:20:00+00:00", tick=False)
    lively = start(company, email="other@bora.rs")
    # when the job runs at 12:31
    time_machine.move_to("2026-03-02 12:31:00+00:00", tick=False)
    assert services.chat_end_idle() == 1
    # then only the quiet one ended, filed on a ticket
    chat.refresh_from_db()
    lively.refresh_from_db()
    assert chat.is_ended() and chat.ticket is not None and not lively.is_ended()


def in_own_thread(fn):
    """``async_to_sync(fn)``, run on a thread of its own.

    A browser journey earlier in the same test process leaves Playwright's event loop running
    in the main thread, where async_to_sync refuses to start another.
    """

    def call(*args):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(async_to_sync(fn), *args).result()

    return call


@pytest.mark.django_db(transaction=True)
def test_visitor_and_agent_talk_live_over_websockets(company, agent):
    chat = start(company)
    token = services.chat_token(chat)

    async def talk() -> tuple[list[dict], list[dict]]:
        visitor = Socket(application, f"/ws/support/chat/?token={token}", headers=ORIGIN)
        helper = Socket(application, f"/ws/support/agent/chats/{chat.pk}/", headers=[*ORIGIN, (b"cookie", cookie)])
        assert (await visitor.connect())[0] and (await helper.connect())[0]
        # each side first gets the history and the status
        seen_by_visitor = [await visitor.receive_json_from(), await visitor.receive_json_from()]
        seen_by_agent = [await helper.receive_json_from(), await helper.receive_json_from()]
        # the agent answers: both see the chat taken and the line
        await helper.send_json_to({"text": "Hello Jovana"})
        seen_by_visitor += [await visitor.receive_json_from(), await visitor.receive_json_from()]
        # the visitor writes markup: it travels as plain text
        await visitor.send_json_to({"text": "<img src=x onerror=alert(1)>"})
        seen_by_agent += [await helper.receive_json_from(), await helper.receive_json_from(), await helper.receive_json_from()]
        seen_by_visitor.append(await visitor.receive_json_from())  # their own line, as stored
        # nonsense gets an error, not a crash
        await visitor.send_json_to({"nope": 1})
        seen_by_visitor.append(await visitor.receive_json_from())
        await visitor.send_text_to("not json at all")
        seen_by_visitor.append(await visitor.receive_json_from())
        await visitor.disconnect()
        await helper.disconnect()
        return seen_by_visitor, seen_by_agent

    cookie = cookie_of(agent)
    by_visitor, by_agent = in_own_thread(talk)()
    assert [e["kind"] for e in by_visitor[:2]] == ["line", "status"] and by_visitor[1]["status"] == "waiting"
    assert {"kind": "status", "status": "active", "ticket": ""} in by_visitor
    assert any(e.get("text") == "Hello Jovana" and e["name"] == "Sara Support" for e in by_visitor)
    assert any(e.get("text") == "<img src=x onerror=alert(1)>" and e["sender"] == "visitor" for e in by_agent)
    assert [e["kind"] for e in by_visitor[-2:]] == ["error", "error"]
    # every line is stored
    assert list(ChatLine.objects.filter(session=chat).values_list("sender", flat=True)) == ["visitor", "agent", "visitor"]


@pytest.mark.django_db(transaction=True)
def test_websockets_refuse_forged_tokens_strangers_and_other_origins(company, other_company, agent):
    chat = start(company)
    token = services.chat_token(chat)
    stranger = member(other_company, "support")
    seller = member(company, "sales")

    async def connects(path: str, headers: list[tuple[bytes, bytes]]) -> bool:
        socket = Socket(application, path, headers=headers)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    checks = {
        "forged token": (f"/ws/support/chat/?token={token[:-2]}xx", ORIGIN),
        "no token": ("/ws/support/chat/", ORIGIN),
        "foreign origin": (f"/ws/support/chat/?token={token}", [(b"origin", b"http://evil.test"), (b"host", b"localhost")]),
        "anonymous agent": (f"/ws/support/agent/chats/{chat.pk}/", ORIGIN),
        "other company's agent": (f"/ws/support/agent/chats/{chat.pk}/", [*ORIGIN, (b"cookie", cookie_of(stranger))]),
        "sales user": (f"/ws/support/agent/chats/{chat.pk}/", [*ORIGIN, (b"cookie", cookie_of(seller))]),
    }
    results = {name: in_own_thread(connects)(path, headers) for name, (path, headers) in checks.items()}
    assert results == dict.fromkeys(checks, False)
    assert in_own_thread(connects)(f"/ws/support/chat/?token={token}", ORIGIN)


def test_the_help_centre_widget_starts_a_chat_and_the_agent_answers_it(client, company, agent):
    # given the help centre
    help_page = client.get(reverse("support_public:help_index", args=[company.code])).content.decode()
    assert 'id="chat-start-form"' in help_page and "support/chat.js" in help_page and "<script>" not in help_page
    # when a visitor starts a chat
    response = client.post(
        reverse("support_public:chat", args=[company.code]), {"name": "Jovana", "email": "jovana@bora.rs", "text": "Hi"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    chat = ChatSession.objects.get()
    # then the page holds the live box with the signed token, and the agents see the chat waiting
    assert 'data-chat-socket="/ws/support/chat/?token=' in page
    client.force_login(agent)
    assert "Jovana" in client.get(reverse("support:chat_list")).content.decode()
    assert client.get(reverse("support:chat_detail", args=[chat.pk])).status_code == 200
    # and "make a ticket" opens the ticket
    made = client.post(reverse("support:chat_ticket", args=[chat.pk]))
    chat.refresh_from_db()
    assert made["Location"] == reverse("support:ticket_detail", args=[chat.ticket_id])


def test_the_visitor_ends_the_chat_from_the_page(client, company):
    client.post(reverse("support_public:chat", args=[company.code]), {"name": "J", "email": "j@bora.rs", "text": "Hi"})
    client.post(reverse("support_public:chat_end", args=[company.code]))
    chat = ChatSession.objects.get()
    assert chat.is_ended() and chat.ticket.channel == "chat"
    assert 'id="chat-ended-notice"' in client.get(reverse("support_public:chat", args=[company.code])).content.decode()


def test_too_many_chats_from_one_address_are_refused(client, company, settings):
    settings.SUPPORT_WEB_FORM_RATE = 2
    url = reverse("support_public:chat", args=[company.code])
    codes = [client.post(url, {"name": "J", "email": "j@bora.rs", "text": "Hi"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
