"""The command palette in a real browser: jump to an invoice by part of its number, create a lead, keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_invoice_journey import flushable_ledger  # noqa: F401  (a fixture)
from tests.e2e.test_stock_journey import flushable_stock  # noqa: F401  (a fixture)
from tests.factories import PASSWORD, CompanyFactory, member
from tests.web.world360 import everything


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_jump_to_an_invoice_and_create_a_lead_from_the_palette(live_server, flushable_ledger, flushable_stock, page: Page):  # noqa: F811
    # given a customer known to every department (indexed as each transaction committed) and a user in sales and finance
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    world = everything(company)
    user = member(company, "sales", "finance", full_name="Fina Sales", email="fina@acme.test")
    number = world.invoice.number
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Acme d.o.o.")).to_be_visible()

    # when she presses Ctrl+K and types the invoice number without its prefix
    page.keyboard.press("Control+k")
    palette = page.locator("#palette")
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type(number.split("/", 1)[1])
    # then the invoice is the first record offered, and Arrow down + Enter open it
    first = palette.locator(".palette-item").first
    expect(first).to_contain_text(number)
    expect(first).to_contain_text("Customer invoices")
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/finance/documents/{world.invoice.pk}/$"))
    expect(page.locator("h1")).to_contain_text(number)

    # when she opens the palette again and asks for a new record
    page.keyboard.press("Control+k")
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("new")
    # then she is offered what she may create, and not what she may not (tickets are support's)
    expect(palette.get_by_role("option", name="New lead")).to_be_visible()
    expect(palette.get_by_role("option", name="New invoice")).to_be_visible()
    expect(palette.get_by_role("option", name="New ticket")).to_have_count(0)
    # and typing on narrows it to the lead, which Enter opens
    page.keyboard.type(" lead")
    expect(palette.locator(".palette-item").first).to_contain_text("New lead")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/crm/leads/new/$"))
    page.get_by_label("Contact name").fill("Mira Nova")
    page.get_by_label("Company name").fill("Nova Firma d.o.o.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Nova Firma d.o.o.")).to_be_visible()

    # and the new lead is found from the palette at once
    page.keyboard.press("Control+k")
    expect(page.locator("#palette-input")).to_be_focused()
    page.keyboard.type("nova firma")
    expect(palette.locator(".palette-item").first).to_contain_text("Nova Firma d.o.o.")
    assert csp_violations == []
