"""A sales user moves a deal across the kanban, by drag and drop and then from the keyboard, and sees it on the 360° page."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from spona.core import services as core_services
from spona.front.crm import services
from tests.factories import PASSWORD, CompanyFactory, member

SCREENSHOTS = Path(os.environ.get("SPONA_SCREENSHOT_DIR", tempfile.gettempdir()))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_move_an_opportunity_by_drag_and_drop_then_keyboard(live_server, page: Page):
    # given a sales user with an opportunity of Bora Trade in the first stage
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "sales", full_name="Sava Sales", email="sava@acme.test")
    org = core_services.party_create(
        actor=user, company=company, data=core_services.PartyInput(kind="organisation", name="Bora Trade d.o.o.")
    )
    services.opportunity_create(
        actor=user,
        company=company,
        data=services.OpportunityInput(title="Scanners for Bora", party_id=org.pk, expected_revenue=4800),
    )
    stages = {s.name: s.pk for s in services.pipeline_default(company=company).stages.all()}
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1500, "height": 900})

    # when she logs in and opens the pipeline from the menu
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Pipeline").click()
    card = page.locator(".kanban-card", has_text="Scanners for Bora")
    expect(page.locator(f'[data-kanban-column="{stages["New"]}"]')).to_contain_text("Scanners for Bora")

    # and drags the card to "Qualified"
    target = page.locator(f'[data-kanban-column="{stages["Qualified"]}"]')
    card.locator(".card-body").hover()
    page.mouse.down()
    box = target.bounding_box()
    assert box is not None
    # Sortable moves the card at once; wait for the server's board, which replaces it.
    with page.expect_response(lambda r: r.url.endswith("/crm/pipeline/move/") and r.status == 200):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=15)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30, steps=5)
        page.mouse.up()

    # then the board comes back from the server with the card in "Qualified"
    expect(page.locator(f'[data-kanban-column="{stages["Qualified"]}"]')).to_contain_text("Scanners for Bora")
    expect(page.locator(f'[data-kanban-column="{stages["New"]}"]')).not_to_contain_text("Scanners for Bora")

    # when she moves it on with the keyboard: the card's "Move to" menu, then Enter on its button
    menu = page.locator(".kanban-card", has_text="Scanners for Bora").get_by_label("Move to")
    expect(menu).to_have_value(str(stages["Qualified"]))  # the server's board, not Sortable's optimistic one
    menu.focus()
    menu.select_option(str(stages["Proposal"]))
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/crm/pipeline/move/") and r.status == 200):
        page.keyboard.press("Enter")
    expect(page.locator(f'[data-kanban-column="{stages["Proposal"]}"]')).to_contain_text("Scanners for Bora")
    page.screenshot(path=str(SCREENSHOTS / "spona-pipeline-board.png"), full_page=True)

    # then the organisation's 360° page shows the deal and both moves on its timeline
    page.locator(".kanban-card", has_text="Scanners for Bora").get_by_role("link", name="Scanners for Bora").click()
    page.get_by_role("link", name="Bora Trade d.o.o.").click()
    expect(page.locator("#crm-panel")).to_contain_text("Scanners for Bora")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Opportunity Scanners for Bora moved from New to Qualified")
    expect(timeline).to_contain_text("Opportunity Scanners for Bora moved from Qualified to Proposal")
    page.screenshot(path=str(SCREENSHOTS / "spona-pipeline-360.png"), full_page=True)
    assert csp_violations == []


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_set_a_target_and_read_the_sales_dashboard(live_server, page: Page):
    # given a manager whose team won one deal of 4,800 this quarter
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "management", full_name="Mara Manager", email="mara@acme.test")
    org = core_services.party_create(
        actor=user, company=company, data=core_services.PartyInput(kind="organisation", name="Bora Trade d.o.o.")
    )
    deal = services.opportunity_create(
        actor=user,
        company=company,
        data=services.OpportunityInput(title="Scanners for Bora", party_id=org.pk, expected_revenue=4800),
    )
    services.opportunity_win(actor=user, company=company, opportunity_id=deal.pk)
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1500, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # when she opens the dashboard from the menu and sets herself a monthly target of 6,000
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Sales dashboard").click()
    page.get_by_role("link", name="Targets").click()
    page.get_by_label("Person or team").select_option(label="Mara Manager")
    page.locator("#id_start").fill(timezone.localdate().isoformat())
    page.get_by_label("Target revenue").fill("6000")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#target-table")).to_contain_text("6,000.00")

    # then this month's dashboard shows the won deal against the target, with both charts drawn
    page.goto(f"{live_server.url}/crm/dashboard/?period={timezone.localdate():%Y-%m}")
    expect(page.locator("#dashboard-kpis")).to_contain_text("100.0 %")
    expect(page.locator("#month-table tfoot")).to_contain_text("4,800.00")
    expect(page.locator("#month-table tfoot")).to_contain_text("6,000.00")
    assert page.evaluate("() => Boolean(Chart.getChart('chart-stages')) && Boolean(Chart.getChart('chart-months'))")
    page.screenshot(path=str(SCREENSHOTS / "spona-sales-dashboard.png"), full_page=True)
    # and the CSV holds the same figures
    with page.expect_download() as download:
        page.locator("#dashboard-csv").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[-1] == "total,1,0,100.0,4800.00,6000.00,80.0,EUR"
    assert csp_violations == []
