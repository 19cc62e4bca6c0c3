"""A finance user's first invoice, in a real browser: set up the ledger, invoice two lines, post, get paid in part."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.factories import CompanyFactory, member, party

SCREENSHOTS = Path(os.environ.get("SPONA_SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.fixture
def flushable_ledger(transactional_db):
    """Let the end-of-test flush empty the ledger on SQLite, whose triggers refuse to delete posted entries.

    PostgreSQL flushes with TRUNCATE, which row triggers do not see. On SQLite the entries are
    turned back into drafts with the triggers briefly dropped, and the triggers restored at once.
    """
    yield
    if connection.vendor != "sqlite":
        return
    guards = importlib.import_module("spona.back.finance.migrations.0002_ledger_guards")
    with connection.cursor() as cursor:
        for statement in guards.SQLITE_DROP:
            cursor.execute(statement)
        cursor.execute("UPDATE finance_journalentry SET state = 'draft'")
        for statement in guards.SQLITE_CREATE:
            cursor.execute(statement)


def pick(page: Page, control: str, text: str, option: str) -> None:
    """Choose an option of a tom-select picker by typing into it, as a user waits for the filtered list.

    Clicking an option while tom-select is still redrawing the list for the typed text can hit a
    row that is being replaced, so the click waits for the filtered (highlighted) option and the
    choice is confirmed by the chosen item appearing in the control.
    """
    choice = page.locator(f"#{control}-ts-dropdown .option:has(.highlight)", has_text=option).first
    for _ in range(3):
        # On a loaded machine the typed text can reach the control before its dropdown listens;
        # like a user, type again when the list does not show the option.
        page.locator(f"#{control}-ts-control").fill(text)
        try:
            choice.wait_for(state="visible", timeout=10_000)
            break
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
    choice.click()
    page.keyboard.press("Escape")
    expect(page.locator(f"#{control} + .ts-wrapper .ts-control .item", has_text=option)).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_set_up_invoice_post_and_register_a_partial_payment(live_server, flushable_ledger, page: Page):
    # given a company without a ledger, a finance user and a customer
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "finance", full_name="Filip Finance", email="filip@acme.test")
    party(company, "Bora Trade d.o.o.", roles=["customer"])
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    menu = page.get_by_role("navigation", name="Main menu")

    # when she sets up the ledger from the finance settings
    menu.get_by_role("link", name="Finance settings").click()
    page.get_by_role("button", name="Set up the ledger").click()
    expect(page.get_by_text("The ledger is set up")).to_be_visible()

    # and creates an invoice with two lines
    menu.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="New invoice").first.click()
    pick(page, "id_party", "Bora", "Bora Trade d.o.o.")
    page.locator('[name="lines-0-description"]').fill("Consulting")
    pick(page, "id_lines-0-account", "4100", "4100 Sales of services")
    page.locator('[name="lines-0-quantity"]').fill("10")
    page.locator('[name="lines-0-unit_price"]').fill("85.00")
    pick(page, "id_lines-0-taxes", "VAT", "VAT")
    page.get_by_role("button", name="Add a line").click()
    page.locator('[name="lines-1-description"]').fill("Books")
    pick(page, "id_lines-1-account", "4000", "4000 Sales of goods")
    page.locator('[name="lines-1-unit_price"]').fill("100")
    pick(page, "id_lines-1-taxes", "VAT", "VAT")
    # then the live totals add up before anything is saved: 950.00 + 20 % VAT
    expect(page.locator("#live-total")).to_contain_text("1,140.00")
    page.screenshot(path=str(SCREENSHOTS / "spona-invoice-form.png"), full_page=True)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()

    # when she posts it
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", name="SAL/")).to_be_visible()
    expect(page.locator("#invoice-state")).to_contain_text("Not paid")

    # and registers a partial payment
    page.get_by_role("link", name="Register payment").click()
    expect(page.get_by_label("Amount")).to_have_value("1140.0000")
    page.get_by_label("Amount").fill("400.00")
    page.get_by_role("button", name="Register the payment").click()

    # then the invoice reads "partially paid" with 740.00 still open
    expect(page.locator("#invoice-state")).to_contain_text("Partially paid")
    expect(page.locator("#invoice-residual")).to_contain_text("740.00")
    page.screenshot(path=str(SCREENSHOTS / "spona-invoice-detail.png"), full_page=True)

    # and the journal entry is one click away, numbered and chained
    page.locator("#invoice-entry-link").click()
    expect(page.get_by_role("heading", name="SAL/")).to_be_visible()
    expect(page.locator("#chain-position")).to_have_text("1")
    expect(page.get_by_text("1100 Trade receivables")).to_be_visible()
    assert csp_violations == []
