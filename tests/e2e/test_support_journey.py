"""Support in a real browser: an agent works the queue, and a visitor chats live with an agent."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from channels.routing import ProtocolTypeRouter
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from playwright.sync_api import Browser, Page, expect

from spona.asgi import application
from spona.front.support import services
from spona.front.support.models import ChatSession, Ticket
from tests.factories import PASSWORD, CompanyFactory, member, party
from tests.front.support.factories import policy, ticket


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def watch_csp(page: Page, violations: list[str]) -> None:
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_agent_works_the_queue_with_a_macro(live_server, page: Page):
    # given two tickets, the urgent one due first, and a macro
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    agent = member(company, "support", full_name="Sara Support", email="sara@acme.test")
    bora = party(company, "Bora Trade d.o.o.")
    policy(company, first=30, priority="urgent")
    policy(company, first=240)
    ticket(company, None, subject="Invoice copy please", party_id=bora.pk)
    urgent = ticket(company, None, subject="Till is down", party_id=bora.pk, priority="urgent", text="Nothing prints.")
    services.macro_create(
        actor=None, company=company, name="Ask for a photo", body="Hello {{ customer }}, please send a photo. {{ agent }}"
    )
    violations: list[str] = []
    watch_csp(page, violations)

    # when the agent opens the next ticket from the queue
    log_in(page, live_server.url, agent.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Tickets").click()
    expect(page.locator("#ticket-table")).to_contain_text("Invoice copy please")
    page.get_by_role("link", name="Next ticket").click()
    expect(page.locator("#ticket-subject")).to_have_text("Till is down")

    # and answers with the macro
    page.locator("#reply-form").get_by_label("Macro").select_option(label="Ask for a photo")
    page.locator("#reply-form").get_by_role("button", name="Send").click()
    expect(page.locator("#ticket-thread")).to_contain_text("Hello Bora Trade d.o.o., please send a photo. Sara Support")
    expect(page.locator("#ticket-status")).to_have_text("Open")

    # and waits for the customer, then solves it
    page.locator("#status-form").get_by_label("Status").select_option(label="Pending customer")
    page.locator("#status-form").get_by_role("button", name="Set status").click()
    expect(page.locator("#ticket-status")).to_have_text("Pending customer")
    page.locator("#status-form").get_by_label("Status").select_option(label="Solved")
    page.locator("#status-form").get_by_role("button", name="Set status").click()

    # then the ticket is solved, answered in time and hers
    expect(page.locator("#ticket-status")).to_have_text("Solved")
    urgent.refresh_from_db()
    assert (urgent.status, urgent.assignee, urgent.first_responded_at is not None) == ("solved", agent, True)
    assert violations == []


@pytest.fixture
def asgi_url(transactional_db, settings) -> Iterator[str]:
    """The ASGI application (HTTP and WebSockets) served by uvicorn on a free loopback port.

    pytest-django's live_server speaks WSGI only. Uvicorn runs in a thread of this process, so
    it sees the test database (SQLite's shared in-memory database too) and the in-memory
    channel layer; static files come from the finders as in the live server.
    """
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    served = ProtocolTypeRouter(
        {"http": ASGIStaticFilesHandler(get_asgi_application()), "websocket": application.application_mapping["websocket"]}
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(served, log_level="warning", lifespan="off", ws="websockets"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    listener.close()


@pytest.mark.e2e
def test_a_visitor_chats_with_an_agent_who_makes_a_ticket(asgi_url, browser: Browser):
    # given a company with an agent, and a customer known by e-mail
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    agent = member(company, "support", full_name="Sara Support", email="sara@acme.test")
    bora = party(company, "Bora Trade d.o.o.", emails=["jovana@bora.rs"])
    violations: list[str] = []
    visitor = browser.new_context().new_page()
    helper = browser.new_context().new_page()
    watch_csp(visitor, violations)
    watch_csp(helper, violations)

    # when a visitor starts a chat from the help centre
    visitor.goto(f"{asgi_url}/help/acme/")
    visitor.get_by_label("Your name").fill("Jovana Petrović")
    visitor.get_by_label("Your e-mail").fill("jovana@bora.rs")
    visitor.get_by_label("Your question").fill("Where is my order <b>42</b>?")
    visitor.get_by_role("button", name="Start the chat").click()
    expect(visitor.locator("[data-chat-status]")).to_have_text("Waiting for an agent")
    expect(visitor.locator("[data-chat-lines]")).to_contain_text("Where is my order <b>42</b>?")

    # and the agent picks it from the waiting chats and answers
    log_in(helper, asgi_url, agent.email)
    helper.get_by_role("navigation", name="Main menu").get_by_role("link", name="Live chats").click()
    helper.get_by_role("link", name="Jovana Petrović").click()
    expect(helper.locator("[data-chat-lines]")).to_contain_text("Where is my order <b>42</b>?")
    helper.get_by_label("Message").fill("It left our warehouse today.")
    helper.get_by_role("button", name="Send").click()

    # then the visitor sees the answer live, and the agent sees the visitor's reply live
    expect(visitor.locator("[data-chat-lines]")).to_contain_text("It left our warehouse today.")
    expect(visitor.locator("[data-chat-status]")).to_have_text("In conversation")
    visitor.get_by_label("Message").fill("Thank you!")
    visitor.keyboard.press("Enter")
    expect(helper.locator("[data-chat-lines]")).to_contain_text("Thank you!")

    # and the agent makes a ticket of the chat: a chat ticket for Bora with the transcript
    helper.get_by_role("button", name="Make a ticket").click()
    expect(helper.locator("#ticket-thread")).to_contain_text("Thank you!")
    expect(helper.locator("#ticket-thread")).to_contain_text("Where is my order <b>42</b>?")
    made = Ticket.objects.get(company=company)
    assert (made.channel, made.party, made.assignee) == ("chat", bora, agent)
    assert ChatSession.objects.get().ticket == made
    assert violations == []
