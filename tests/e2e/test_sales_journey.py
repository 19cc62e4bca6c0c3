"""Sales in a real browser: a quotation accepted by the customer through its link, shipped, invoiced and paid,
seen on the customer's 360° page; and a discount above the limit approved by a manager on the quotation's page."""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, CompanyFactory, member
from tests.front.sales.world import sales_world

SCREENSHOTS = Path(os.environ.get("SPONA_SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.fixture
def flushable(transactional_db):
    """Let the end-of-test flush empty the ledger and the stock history on SQLite, whose triggers refuse to
    delete posted entries and done moves (PostgreSQL flushes with TRUNCATE, which row triggers do not see)."""
    yield
    if connection.vendor != "sqlite":
        return
    for module, table in (
        ("finance.migrations.0002_ledger_guards", "finance_journalentry"),
        ("inventory.migrations.0002_stock_guards", "inventory_stockmove"),
    ):
        guards = importlib.import_module(f"spona.back.{module}")
        with connection.cursor() as cursor:
            for statement in guards.SQLITE_DROP:
                cursor.execute(statement)
            cursor.execute(f"UPDATE {table} SET state = 'draft'")
            for statement in guards.SQLITE_CREATE:
                cursor.execute(statement)


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def csp_watch(page: Page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return violations


def new_quotation(page: Page, customer: str, product: str, quantity: str, discount: str = "") -> None:
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Quotations").click()
    page.locator("#new-quotation").click()
    page.select_option("#id_party", label=customer)
    page.select_option("#id_product_0", label=product)
    page.locator("#id_quantity_0").fill(quantity)
    if discount:
        page.locator("#id_discount_0").fill(discount)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Q/")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_quotation_accepted_by_link_then_shipped_invoiced_paid_and_on_the_360_page(
    live_server, flushable, page: Page, browser: Browser
):
    # given a small company where the salesperson also ships and books (sales, operations and finance roles),
    # selling chairs at 10.00 + 20 % VAT with 100 in stock, and a customer
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    world = sales_world(company)
    seller = member(company, "sales", "operations", "finance", full_name="Sanja Sales", email="sanja@acme.test")
    violations = csp_watch(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, seller.email)

    # when she quotes 3 chairs and sends the quotation
    new_quotation(page, "Kupac d.o.o.", "CHAIR · Chair", "3")
    page.locator("#send-quotation").click()
    expect(page.locator("#quotation-status")).to_have_text("Sent")
    link = page.locator("#share-link").input_value()

    # and the customer opens the link in a browser of their own, without logging in, and accepts
    customer = browser.new_context()
    offer = customer.new_page()
    offer.goto(link)
    expect(offer.get_by_text("36.00").first).to_be_visible()
    offer.locator("#accept-quotation").click()
    expect(offer.get_by_text("Accepted").first).to_be_visible()
    customer.close()

    # then, back as the salesperson, the quotation is accepted and its order confirmed (stock reserved for delivery)
    page.reload()
    expect(page.locator("#quotation-status")).to_have_text("Accepted")
    page.locator("#quotation-order").click()
    expect(page.locator("#order-status")).to_have_text("Confirmed")
    expect(page.locator("#order-progress")).to_have_text("to deliver")
    order_number = page.get_by_role("heading", level=1).inner_text()

    # when the warehouse validates the delivery
    page.locator("#order-documents a", has_text="WH/OUT/").click()
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_text("Done").first).to_be_visible()
    page.go_back()
    page.go_back()
    page.reload()
    # then the order is delivered and waits for its invoice
    expect(page.locator("#order-progress")).to_have_text("to invoice")

    # when she creates and posts the invoice, and registers the customer's payment of 36.00
    page.locator("#invoice-order").click()
    expect(page.locator("#order-progress")).to_have_text("invoiced")
    page.locator("#order-documents a", has_text="SAL/").click()
    page.get_by_role("link", name="Register payment").click()
    expect(page.get_by_label("Amount")).to_have_value("36.0000")
    page.get_by_role("button", name="Register the payment").click()
    expect(page.locator("#invoice-state")).to_contain_text("Paid")

    # then the customer's 360° page shows the order, the lifetime value and the whole story on the timeline
    page.goto(f"{live_server.url}/parties/{world.customer.pk}/")
    expect(page.locator("#sales-orders")).to_contain_text(order_number)
    expect(page.locator("#sales-lifetime-value")).to_contain_text("30.00")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(order_number)
    expect(timeline).to_contain_text("paid")
    page.screenshot(path=str(SCREENSHOTS / "spona-sales-360.png"), full_page=True)
    assert violations == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_discount_above_the_limit_is_approved_by_a_manager_on_the_page(live_server, flushable, page: Page):
    # given a company with the default 10 % discount limit, a salesperson and a manager
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    world = sales_world(company)
    violations = csp_watch(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, live_server.url, world.seller.email)

    # when the salesperson quotes a desk with a 15 % discount
    new_quotation(page, "Kupac d.o.o.", "DESK · Desk", "1", discount="15")
    # then the quotation waits for a manager and cannot be sent
    expect(page.locator("#quotation-approval")).to_have_text("Waiting for approval")
    expect(page.locator("#approval-waiting")).to_contain_text("Management")
    expect(page.locator("#send-quotation")).to_have_count(0)
    quotation_url = page.url

    # when the manager opens the same page and approves with a comment
    page.context.clear_cookies()
    log_in(page, live_server.url, world.manager.email)
    page.goto(quotation_url)
    page.get_by_label("Comment").fill("Good customer, first order")
    page.locator("#approve").click()
    # then the discount is approved, the history names the manager, and the quotation can be sent
    expect(page.locator("#quotation-approval")).to_have_text("Approved")
    expect(page.locator("#approval-history")).to_contain_text("Mara Manager")
    expect(page.locator("#approval-history")).to_contain_text("Good customer, first order")
    page.locator("#send-quotation").click()
    expect(page.locator("#quotation-status")).to_have_text("Sent")
    assert violations == []
