"""The sales user's list of return requests: the queue oldest first, a page at a time, searchable, by status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from spona.front.support import selectors
from spona.front.support.models import ReturnRequest
from tests.factories import member, party
from tests.front.support.factories import ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(company):
    return member(company, "sales", full_name="Sava Sales", email="sava@acme.test")


@pytest.fixture
def requests(company, agent):
    """27 requests waiting (the first three for Bora Trade's ticket) and 2 opened already, oldest first."""
    bora = ticket(company, agent, party_id=party(company, "Bora Trade d.o.o.").pk, subject="Broken scanner")
    other = ticket(company, agent, subject="Wrong colour")
    rows = [
        ReturnRequest(
            company=company,
            ticket=bora if n < 3 else other,
            order_id=1000 + n,
            order_label=f"SO/2026/{1000 + n:05d}",
            reason="Arrived broken" if n < 3 else "Wrong colour",
            requested_by=agent,
        )
        for n in range(27)
    ]
    rows += [
        ReturnRequest(
            company=company, ticket=other, order_id=2000 + n, order_label=f"SO/2026/{2000 + n:05d}", reason="Late",
            status="opened", rma_number=f"RMA/0000{n + 1}", requested_by=agent,
        )
        for n in range(2)
    ]  # fmt: skip
    return ReturnRequest.objects.bulk_create(rows)


def labels(page) -> list[str]:
    return [r.order_label for r in page.items]


def test_the_queue_goes_oldest_first_a_page_at_a_time(client, seller, requests):
    client.force_login(seller)
    # when the list is opened, it shows the 25 oldest waiting requests and a next page
    first = client.get(reverse("support:return_request_list"))
    page = first.context["page"]
    assert labels(page)[:2] == ["SO/2026/01000", "SO/2026/01001"] and len(page.items) == 25
    body = first.content.decode()
    assert "Next page" in body and "First page" not in body and "RMA/00001" not in body
    # then the next page has the last two, and a way back
    second = client.get(reverse("support:return_request_list"), {"cursor": page.next_cursor})
    assert labels(second.context["page"]) == ["SO/2026/01025", "SO/2026/01026"]
    assert second.context["page"].next_cursor is None and "First page" in second.content.decode()
    # and a broken cursor starts again from the first page with a message
    broken = client.get(reverse("support:return_request_list"), {"cursor": "not-a-cursor"})
    assert broken.status_code == 200 and len(broken.context["page"].items) == 25
    assert "not valid" in broken.content.decode()


def test_search_and_status_narrow_the_list_and_htmx_gets_the_results_only(client, seller, requests):
    client.force_login(seller)
    url = reverse("support:return_request_list")
    # the customer's name, the exact ticket number, part of an order number
    assert len(client.get(url, {"q": "bora"}).context["page"].items) == 3
    number = requests[0].ticket.number
    assert len(client.get(url, {"q": number}).context["page"].items) == 3
    assert labels(client.get(url, {"q": "01026"}).context["page"]) == ["SO/2026/01026"]
    # opened ones go newest first with their return's number; "any" shows all 29
    opened = client.get(url, {"status": "opened"})
    assert labels(opened.context["page"]) == ["SO/2026/02001", "SO/2026/02000"]
    assert "RMA/00002" in opened.content.decode() and "Open the return" not in opened.content.decode()
    everything = client.get(url, {"status": "all"}).context["page"]
    assert len(everything.items) == 25 and everything.next_cursor is not None
    # a search that finds nothing says so; the live search gets the results without the page around them
    partial = client.get(url, {"q": "nothing like this"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No return request matches" in partial and "<html" not in partial


def test_a_page_is_one_query_and_another_company_sees_none(company, other_company, seller, requests, django_assert_num_queries):
    with django_assert_num_queries(1 + 1):  # + the permission check's memberships
        page = selectors.return_request_list(user=seller, company=company, limit=25)
    assert [r.ticket.party.name if r.ticket.party else "" for r in page.items][:4] == ["Bora Trade d.o.o."] * 3 + [""]
    stranger = member(other_company, "sales")
    assert selectors.return_request_list(user=stranger, company=other_company).items == []
