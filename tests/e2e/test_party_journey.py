"""A sales user's first day, in a real browser: register a customer and its contact, link them, read the 360° page."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, CompanyFactory, member

SCREENSHOTS = Path(os.environ.get("SPONA_SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_register_link_and_see_both_on_the_360_page(live_server, page: Page):
    # given a company and a sales user
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "sales", full_name="Sava Sales", email="sava@acme.test")
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1366, "height": 900})

    # when she logs in
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Acme d.o.o.")).to_be_visible()

    # and registers an organisation from the menu
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Customers & contacts").click()
    page.get_by_role("link", name="New organisation").first.click()
    page.get_by_label("Name", exact=True).fill("Bora Trade d.o.o.")
    page.get_by_label("E-mail addresses").fill("office@bora.rs")
    page.get_by_label("Phone numbers").fill("+381 11 3234567")
    page.get_by_label("Customer").check()
    page.get_by_label("Street and number").fill("Knez Mihailova 1")
    page.get_by_label("City").fill("Beograd")
    page.get_by_label("Country", exact=True).fill("RS")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Bora Trade d.o.o.")).to_be_visible()

    # and a person
    page.get_by_role("link", name="Customers & contacts").first.click()
    page.get_by_role("link", name="New person").first.click()
    page.get_by_label("Given name").fill("Jovana")
    page.get_by_label("Family name").fill("Petrović")
    page.get_by_label("E-mail addresses").fill("jovana@bora.rs")
    page.get_by_label("Contact", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Jovana Petrović")).to_be_visible()

    # and links her to the organisation with the party picker
    page.get_by_label("Jovana Petrović …").select_option("works_at")
    page.locator("#link_other-ts-control").fill("Bora")
    page.locator(".ts-dropdown .option", has_text="Bora Trade d.o.o.").click()
    page.get_by_label("Job title").fill("Buyer")
    page.get_by_role("button", name="Link").click()

    # then her page shows where she works, and her timeline shows the link (dispatched after commit)
    related = page.locator("#related")
    expect(related).to_contain_text("works at")
    expect(related.get_by_role("link", name="Bora Trade d.o.o.")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Jovana Petrović works at Bora Trade d.o.o. (Buyer)")

    # and the organisation's 360° page shows her, its contact data and the same timeline entry
    related.get_by_role("link", name="Bora Trade d.o.o.").click()
    expect(page.locator("#related")).to_contain_text("employs")
    expect(page.locator("#related").get_by_role("link", name="Jovana Petrović")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Jovana Petrović works at Bora Trade d.o.o. (Buyer)")
    expect(page.locator("#timeline")).to_contain_text("Bora Trade d.o.o. was registered")
    expect(page.get_by_text("office@bora.rs")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "spona-party-360.png"), full_page=True)

    # and the timeline's department filter answers through htmx
    page.get_by_label("Department").select_option("core")
    expect(page.locator("#timeline")).to_contain_text("was registered")

    # and the list's live search finds both
    page.get_by_role("link", name="Customers & contacts").first.click()
    page.get_by_label("Search", exact=True).fill("bora")
    expect(page).to_have_url(re.compile(r"q=bora"))
    expect(page.locator("#results")).to_contain_text("Bora Trade d.o.o.")
    page.get_by_label("Search", exact=True).fill("")
    expect(page.locator("#results")).to_contain_text("Jovana Petrović")
    page.screenshot(path=str(SCREENSHOTS / "spona-party-list.png"), full_page=True)

    # and she logs out from the user menu
    page.get_by_role("button", name="Sava Sales").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert csp_violations == []
