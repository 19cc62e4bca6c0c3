"""A buyer's procure-to-pay, in a real browser: replenishment proposes an RFQ, it is confirmed, received, billed
with the three-way match and posted, and the supplier's page shows the order done."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from playwright.sync_api import Page, expect

from spona.back.finance import services as finance
from spona.back.inventory import services as inventory
from spona.back.purchasing import services as purchasing
from tests.e2e.test_invoice_journey import flushable_ledger  # noqa: F401  (fixtures that let SQLite flush the
from tests.e2e.test_stock_journey import flushable_stock  # noqa: F401  posted entries and done moves after the test)
from tests.factories import PASSWORD, CompanyFactory, member, party


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_replenish_confirm_receive_bill_and_see_it_on_the_suppliers_page(
    live_server,
    flushable_ledger,  # noqa: F811
    flushable_stock,  # noqa: F811
    page: Page,
):
    # given a company with its ledger, bolts bought from Vijci d.o.o. at 0.12 (5 days), none in stock,
    # a reorder rule (min 50, max 200) and a buyer who also posts bills
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    finance.ledger_setup(actor=None, company=company)
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Main warehouse")
    bolt = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name="Hex bolt M8", sku="BOLT-M8", uom_id=unit.pk)
    )
    supplier = party(company, "Vijci d.o.o.", roles=["supplier"])
    inventory.supplier_info_set(
        actor=None,
        company=company,
        product_id=bolt.pk,
        supplier_id=supplier.pk,
        lead_time_days=5,
        price_breaks=[(D(1), D("0.12"))],
    )
    purchasing.rule_create(
        actor=None,
        company=company,
        data=purchasing.RuleIn(product_id=bolt.pk, warehouse_id=warehouse.pk, min_quantity=D(50), max_quantity=D(200)),
    )
    buyer = member(company, "operations", "finance", full_name="Olga Operations", email="olga@acme.test")
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(buyer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Acme d.o.o.")).to_be_visible()

    # when replenishment proposes 200 bolts from Vijci and she drafts the RFQ
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Replenishment").click()
    expect(page.get_by_role("row", name="BOLT-M8")).to_contain_text("200 Units")
    page.get_by_role("button", name="Create RFQs").click()
    expect(page.get_by_text("1 RFQ(s) drafted.")).to_be_visible()
    page.locator("#results").get_by_role("link").first.click()
    order_url = page.url

    # and confirms it: the receipt is planned
    page.get_by_role("button", name="Confirm order").click()
    expect(page.get_by_text("is now purchase order")).to_be_visible()

    # and the warehouse validates the receipt
    page.get_by_role("link", name="WH/IN/00001").click()
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_text("WH/IN/00001 is done.")).to_be_visible()

    # and she bills what was received, checks the three-way match and posts the bill
    page.goto(order_url)
    expect(page.locator("h1")).to_contain_text("Vijci d.o.o.")
    page.get_by_role("button", name="Create bill").click()
    expect(page.get_by_text("Vendor bill drafted; check the match before posting it.")).to_be_visible()
    expect(page.get_by_role("row", name="Hex bolt M8")).to_contain_text("200")
    page.get_by_role("button", name="Post bill").click()
    expect(page.get_by_text("Vendor bill posted.")).to_be_visible()

    # then the supplier's page (linked from the order) shows the order, done
    page.goto(order_url)
    page.locator("h1").get_by_role("link", name="Vijci d.o.o.").click()
    expect(page.get_by_role("heading", name="Vijci d.o.o.")).to_be_visible()
    expect(page.get_by_text("Done").first).to_be_visible()
    assert csp_violations == []
