"""An agent sees the bell's count, opens the ticket a notification is about, and turns e-mail on for tickets."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Preference
from tests.factories import PASSWORD, CompanyFactory, member


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_bell_leads_to_the_record_and_preferences_are_saved(live_server, page: Page):
    # given an agent with two unread notifications
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    agent = member(company, "support", full_name="Sara Support", email="sara@acme.test")
    for number in (1, 2):
        services.notify(
            company=company,
            kind="ticket_assigned",
            user_ids=[agent.pk],
            title=f"Ticket T-{number} was assigned to you",
            link="/notifications/preferences/",
        )
    # when she logs in, the bell shows 2
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    bell = page.locator("#notification-bell")
    expect(bell).to_contain_text("2")
    # and she opens the inbox and the first notification, which leads to its page
    bell.click()
    page.get_by_role("button", name="Ticket T-2 was assigned to you").click()
    expect(page).to_have_url(f"{live_server.url}/notifications/preferences/")
    # then one is left unread
    expect(page.locator("#notification-bell")).to_contain_text("1")
    # when she wants assigned tickets mailed at once
    page.get_by_label("E-mail for Tickets assigned to me").select_option("immediately")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Notification preferences saved.")).to_be_visible()
    assert Preference.objects.get(user=agent, kind="ticket_assigned").email == "immediately"
