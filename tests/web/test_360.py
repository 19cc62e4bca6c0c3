"""The 360° page (issue 7): a summary of every department, a timeline filtered by office or app, and redaction by role."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spona.front.support.models import Satisfaction
from tests.factories import deliver_events, member
from tests.web.world360 import Everything, everything


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(company) -> Everything:
    """Kupac d.o.o. with records in every app, a CSAT answer, and every event on its timeline."""
    w = everything(company)
    Satisfaction.objects.create(company=company, ticket=w.ticket, rating=Satisfaction.Rating.GOOD)
    deliver_events()
    return w


@pytest.fixture
def open_page(client):
    def get(user, path):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200
        return response.content.decode()

    return get


def figures(html: str) -> dict[str, str]:
    """The summary strip as {figure: its text, spaces collapsed}."""
    found = re.findall(r'data-figure="(\w+)">(.*?)</div>', html, flags=re.S)
    return {key: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for key, body in found}


def test_the_summary_strip_gathers_every_department(company, admin, world, open_page):
    # given a customer with a part-paid invoice, an open opportunity, a confirmed order, an open ticket and a CSAT answer
    # when an administrator opens its 360° page
    strip = figures(open_page(admin, f"/parties/{world.customer.pk}/"))
    # then the strip shows each department's key figure
    assert strip["balance"].startswith("Open balance 60.00 EUR")  # 100.00 invoiced, 40.00 paid
    assert strip["lifetime"] == "Lifetime value 100.00 EUR"
    assert strip["pipeline"] == "Open opportunities 1 900.00 EUR"
    assert strip["orders"] == f"Orders in flight 1 {world.order.total:.2f} EUR"
    assert strip["tickets"].startswith("Open tickets 1")
    assert strip["csat"] == f"Latest satisfaction Good ticket {world.ticket.number}"
    assert strip["contact"].startswith("Last contact") and f"Customer wrote on ticket {world.ticket.number}" in strip["contact"]


def test_the_page_runs_a_fixed_number_of_queries_however_much_the_party_has(company, admin, world, client):
    # given an administrator on the page of the customer known to every app
    path = f"/parties/{world.customer.pk}/"
    client.force_login(admin)
    client.get(path)  # the first request of a session also stores it
    with CaptureQueriesContext(connection) as first:
        assert client.get(path).status_code == 200
    # when the customer gets as much again of everything
    everything(company, world.world)
    deliver_events()
    with CaptureQueriesContext(connection) as second:
        assert client.get(path).status_code == 200
    # then the page costs the same: session and user, the party, one or two queries per figure and per panel
    assert len(first) == len(second)
    assert len(second) == 34, "\n".join(q["sql"][:120] for q in second.captured_queries)


def entries(html: str) -> list[str]:
    """The titles on the timeline, spaces collapsed."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r'<li class="timeline-entry">(.*?)</li>', html, re.S)
    ]


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        # support: tickets and the registry, not finance, sales or CRM
        ("support", {"balance": False, "tickets": True, "pipeline": False}, ("Invoice", "Order", "Opportunity", "Payment")),
        # sales: the customer's balance (finance.view_customer_balance), CRM and sales, not support
        ("sales", {"balance": True, "tickets": False, "pipeline": True}, ("Ticket", "Customer wrote")),
        # hr: only the registry
        ("hr", {"balance": False, "tickets": False, "pipeline": False}, ("Invoice", "Ticket", "Opportunity", "Order")),
    ],
)
def test_each_role_sees_its_departments_and_a_count_of_the_rest(company, world, open_page, role, sees, hidden):
    # given a user with one department role
    user = member(company, role)
    # when they open the customer's page
    html = open_page(user, f"/parties/{world.customer.pk}/")
    # then the strip shows only their departments' figures
    strip = figures(html)
    assert {key: key in strip for key in sees} == sees
    # and the timeline shows none of the other departments' entries, only how many there are
    titles = entries(html)
    assert titles and f"{world.customer.name} was registered" in " ".join(titles)
    assert not [title for title in titles if title.split(" ", 1)[1].startswith(hidden)]
    assert re.search(r"\d+ entr(y|ies) hidden", html)
    # and no figure or entry anywhere on the page names a hidden record
    assert world.invoice.number not in html or role == "sales"
    assert world.ticket.number not in html or role == "support"


def test_someone_who_may_read_everything_sees_nothing_hidden(company, admin, world, open_page):
    html = open_page(admin, f"/parties/{world.customer.pk}/timeline/?limit=100")
    assert "hidden" not in html
    titles = " ".join(entries(html))
    for title in (
        "was registered",
        "Opportunity Office chairs opened",
        f"Order {world.order.number} confirmed",
        f"Invoice {world.invoice.number}",
        "Payment received",
        f"Ticket {world.ticket.number} opened",
    ):
        assert title in titles


def test_the_timeline_filters_by_office_and_by_app(company, admin, world, open_page):
    base = f"/parties/{world.customer.pk}/timeline/?department="
    # when the timeline is filtered by the back office
    back = open_page(admin, base + "back")
    # then it shows finance entries and no front-office ones
    assert f"Invoice {world.invoice.number}" in back and "Ticket " not in back and "Opportunity " not in back
    # and filtered by one app, only that app's entries
    support = open_page(admin, base + "support")
    assert f"Ticket {world.ticket.number} opened" in support and "Invoice " not in support
    # and an unknown filter shows everything rather than failing
    assert f"Ticket {world.ticket.number} opened" in open_page(admin, base + "nonsense")


def test_the_filter_offers_each_office_and_its_apps(company, admin, world, open_page):
    html = open_page(admin, f"/parties/{world.customer.pk}/")
    assert '<optgroup label="Front office">' in html and '<optgroup label="Back office">' in html
    for value in ("front", "back", "crm", "sales", "support", "finance", "inventory", "core"):
        assert f'<option value="{value}">' in html


def test_the_home_pages_latest_activity_is_redacted_the_same_way(company, admin, world, open_page):
    # given finance and support events on the customer's timeline
    # then a support agent's home shows the ticket's entries but not the invoice's
    agent = member(company, "support")
    home = open_page(agent, "/")
    assert world.ticket.number in home and world.invoice.number not in home
    # and someone who may read finance sees it
    assert world.invoice.number in open_page(admin, "/")
