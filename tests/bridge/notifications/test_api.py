"""The notifications API: my inbox, marking read, my preferences; never anyone else's."""

from __future__ import annotations

import pytest

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Notification, Preference
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import member

pytestmark = pytest.mark.django_db
URL = f"{API}/notifications"


def tell(company, user, title, kind="automation"):
    services.notify(company=company, kind=kind, user_ids=[user.pk], title=title, link="/crm/")
    return Notification.objects.filter(recipient=user).latest("id")


def test_listing_shows_only_my_notifications_unread_first(company, sales, api_as):  # noqa: F811
    # given two notifications of mine, one read, and one of a colleague
    read = tell(company, sales, "Read one")
    tell(company, sales, "Unread one", kind="stock_low")
    tell(company, member(company, "sales"), "Not mine")
    services.notification_mark_read(user=sales, company=company, notification_id=read.pk)
    client = api_as(sales)
    # when I list them
    body = client.get(URL).json()
    # then mine only, unread first, with the bell's count
    assert [(n["title"], n["read_at"] is None) for n in body["items"]] == [("Unread one", True), ("Read one", False)]
    assert (body["unread"], body["next_cursor"]) == (1, None)
    assert [n["title"] for n in client.get(URL, {"kind": "stock_low"}).json()["items"]] == ["Unread one"]
    assert client.get(URL, {"kind": "gossip"}).status_code == 422


def test_walking_the_pages_returns_each_notification_once_unread_first(company, sales, api_as):  # noqa: F811
    # given 7 notifications, 3 of them read
    made = [tell(company, sales, f"N{i}") for i in range(7)]
    for notification in made[:3]:
        services.notification_mark_read(user=sales, company=company, notification_id=notification.pk)
    client = api_as(sales)
    # when I walk them 2 at a time
    seen, url = [], f"{URL}?limit=2"
    while url:
        body = client.get(url).json()
        seen += [n["title"] for n in body["items"]]
        url = f"{URL}?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    # then each comes once: the unread newest first, then the read newest first
    assert seen == ["N6", "N5", "N4", "N3", "N2", "N1", "N0"]
    assert_problem(client.get(f"{URL}?cursor=garbage"), 422)


def test_marking_read_and_unread(company, sales, api_as):  # noqa: F811
    notification = tell(company, sales, "Hello")
    client = api_as(sales)
    assert client.post(f"{URL}/{notification.pk}/read").json()["read_at"] is not None
    assert client.post(f"{URL}/{notification.pk}/unread").json()["read_at"] is None
    tell(company, sales, "Again")
    assert client.post(f"{URL}/read-all", {}, content_type="application/json").json() == {"marked": 2}


def test_another_persons_notification_answers_404(company, sales, api_as):  # noqa: F811
    theirs = tell(company, member(company, "support"), "Private")
    response = api_as(sales).post(f"{URL}/{theirs.pk}/read")
    assert_problem(response, 404)
    assert b"Private" not in response.content
    assert Notification.objects.get().read_at is None


def test_preferences_list_every_kind_and_change_only_mine(company, sales, api_as):  # noqa: F811
    client = api_as(sales)
    # given the defaults
    kinds = {p["kind"]: p for p in client.get(f"{URL}/preferences").json()}
    assert kinds["approval"] == {"kind": "approval", "label": "Approvals", "in_app": True, "email": "never", "emailable": False}
    assert kinds["ticket_assigned"]["email"] == "digest"
    # when I want overdue invoices at once
    body = {"preferences": [{"kind": "invoice_overdue", "in_app": True, "email": "immediately"}]}
    answer = client.put(f"{URL}/preferences", body, content_type="application/json")
    # then it is saved, for me
    assert {p["kind"]: p["email"] for p in answer.json()}["invoice_overdue"] == "immediately"
    assert list(Preference.objects.values_list("user_id", "kind", "email")) == [(sales.pk, "invoice_overdue", "immediately")]
    # and unknown kinds or fields are refused
    for bad in ({"preferences": [{"kind": "gossip"}]}, {"preferences": [{"kind": "automation", "user_id": 1}]}):
        assert client.put(f"{URL}/preferences", bad, content_type="application/json").status_code == 422
