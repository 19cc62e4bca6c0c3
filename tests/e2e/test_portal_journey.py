"""A customer's contact in a real browser: accept the e-mailed invitation, set a password, log in,
open a ticket (with help articles suggested while typing), read the agent's answer, download an invoice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from spona.front.portal import services as portal
from spona.front.support import services as support
from spona.front.support.selectors import party_tickets
from tests.e2e.test_invoice_journey import flushable_ledger  # noqa: F401  (fixtures this journey needs too)
from tests.e2e.test_stock_journey import flushable_stock  # noqa: F401
from tests.factories import CompanyFactory, member, party
from tests.front.portal.conftest import delivered_and_invoiced
from tests.front.sales.world import sales_world
from tests.front.support.mailhelpers import Sink

PASSWORD = "portal-journey-secret"


@pytest.fixture
def mailbox(settings):
    """The contact's mail server: Spona's invitation goes out over SMTP to this sink."""
    sink = Sink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    sink.controller.stop()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("flushable_ledger", "flushable_stock")
def test_invited_contact_opens_a_ticket_reads_the_answer_and_downloads_an_invoice(
    live_server,
    mailbox,
    settings,
    page: Page,
):
    # given a customer with a delivered and invoiced order, a public help article, and an agent
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    world = sales_world(company, stock=10)
    customer = party(company, "Bora Trade d.o.o.", roles=["customer"])
    delivered_and_invoiced(world, customer)
    agent = member(company, "support", full_name="Sara Support")
    support.article_create(
        actor=agent,
        company=company,
        title="Wobbly chairs",
        body_markdown="Tighten the screws.",
        is_published=True,
        visibility="public",
    )
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    settings.SPONA_BASE_URL = live_server.url
    # when the agent invites the customer's contact, then the invitation arrives by e-mail
    portal.invitation_send(
        actor=agent, company=company, customer_id=customer.pk, email="jovana@bora.test", full_name="Jovana Bora"
    )
    [mail] = mailbox.wait_for(1)
    link = re.search(r"http\S+/portal/invitation/\S+/", mail.get_content()).group(0)
    # when she opens the link and chooses a password, then she is in her portal
    page.goto(link)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_again").fill(PASSWORD)
    page.get_by_role("button", name="Save the password and log in").click()
    expect(page.get_by_role("heading", name="Welcome, Bora Trade d.o.o.")).to_be_visible()
    # when she logs out and in again, then the login takes her to the portal
    page.get_by_role("button", name=re.compile("Jovana Bora")).click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail").fill("jovana@bora.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Bora Trade d.o.o.")).to_be_visible()
    # when she opens a ticket, then a matching help article is suggested while she types
    page.get_by_role("link", name="Open a ticket").click()
    page.get_by_label("Subject").press_sequentially("Wobbly chair")
    expect(page.locator("#portal-suggestions").get_by_role("link", name="Wobbly chairs")).to_be_visible()
    page.get_by_label("Message").fill("One leg of the chair is shorter.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#portal-thread")).to_contain_text("One leg of the chair is shorter.")
    # when the agent answers (and writes an internal note), then she reads the answer and not the note
    ticket = party_tickets(company=company, party_id=customer.pk)[0]
    support.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="Internal: send a spare leg", note=True)
    support.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="A new leg is on its way.")
    page.reload()
    expect(page.locator("#portal-thread")).to_contain_text("A new leg is on its way.")
    expect(page.locator("#portal-thread")).not_to_contain_text("spare leg")
    # when she opens her invoices, then she downloads the order's invoice as PDF
    page.get_by_role("link", name="Invoices").click()
    page.locator("#portal-invoices a").first.click()
    expect(page.locator("#invoice-residual")).to_contain_text("24.00 EUR")
    with page.expect_download() as download:
        page.locator("#invoice-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert csp_violations == []
