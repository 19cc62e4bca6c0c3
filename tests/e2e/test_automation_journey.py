"""A manager approves a discount from the Approvals inbox; an admin builds a rule, tests it on a sample and switches it on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from spona.bridge.automation import services
from spona.bridge.automation.models import Rule
from spona.core import services as core_services
from tests.factories import PASSWORD, CompanyFactory, member


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_approve_a_discount_from_the_inbox(live_server, page: Page):
    # given a salesperson's discount waiting for management
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    seller = member(company, "sales", full_name="Sava Sales", email="sava@acme.test")
    boss = member(company, "management", full_name="Mira Manager", email="mira@acme.test")
    request = services.approval_request(
        actor=seller,
        company=company,
        kind="sales.discount",
        record_type="sales.quotation",
        record_id=1,
        subject="Discount 18 % on Q-0001 Bora Trade",
        amount=Decimal("1240.00"),
        currency="EUR",
    )
    # when the manager opens Approvals from the menu, then the request
    log_in(page, live_server.url, boss.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Approvals").click()
    expect(page.locator("#pending-table")).to_contain_text("Discount 18 % on Q-0001 Bora Trade")
    page.get_by_role("link", name="Discount 18 % on Q-0001 Bora Trade").first.click()
    # and approves it with a comment
    page.get_by_label("Comment").fill("Strategic customer, fine.")
    page.get_by_role("button", name="Approve").click()
    # then the inbox is empty and the history shows it approved
    expect(page.locator("#pending-table")).to_contain_text("Nothing waits for you.")
    expect(page.locator("#history-table")).to_contain_text("Approved")
    request.refresh_from_db()
    assert request.state == "approved"
    assert request.steps.get().comment == "Strategic customer, fine."


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_build_test_and_switch_on_a_rule(live_server, page: Page):
    # given an admin and a sample customer
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    admin = member(company, "admin", full_name="Ana Admin", email="ana@acme.test")
    sample = core_services.party_create(
        actor=admin, company=company, data=core_services.PartyInput(kind="organisation", name="Alpine Bank AG")
    )
    # when she builds a rule from the menu: new parties named "…Bank…" get a tag
    log_in(page, live_server.url, admin.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Automation rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill("Banks get a tag")
    page.locator('select[name="event_name"]').select_option("core.party_created")
    page.locator('select[name="c1_field"]').select_option("event.name")
    page.locator('select[name="c1_op"]').select_option("contains")
    page.locator('input[name="c1_value"]').fill("Bank")
    page.locator('select[name="a1_type"]').select_option("add_tag")
    page.locator('input[name="a1_text"]').fill("Finance sector")
    page.get_by_role("button", name="Save").click()
    # then the rule is off and cannot be switched on before a test
    expect(page.locator("#rule-state")).to_have_text("off")
    expect(page.locator("#activate-button")).to_be_disabled()
    # when she tests it against the sample customer
    page.get_by_label("Sample record id").fill(str(sample.pk))
    page.get_by_label("Sample event payload (JSON)").fill('{"name": "Alpine Bank AG"}')
    page.get_by_role("button", name="Run the test").click()
    expect(page.locator("#test-result")).to_contain_text("The conditions hold")
    expect(page.locator("#test-result")).to_contain_text(f"Would tag party #{sample.pk} with 'Finance sector'.")
    # and switches it on
    page.locator("#activate-button").click()
    expect(page.locator("#rule-state")).to_have_text("on")
    assert Rule.objects.get().is_active
