"""A sales user moves a deal across the kanban, by drag and drop and then from the keyboard, and sees it on the 360° page."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
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
