"""The inbox, the bell and the preferences page, with their query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Notification, Preference
from spona.core.permissions import roles_in
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def tell(company, user, title, kind="automation", link="/crm/"):
    services.notify(company=company, kind=kind, user_ids=[user.pk], title=title, link=link)
    return Notification.objects.filter(recipient=user).latest("id")


def test_the_bell_costs_pages_no_query_and_fetches_its_count_with_one(client, company, admin, django_assert_num_queries):
    # given three notifications, one read, and one of another person
    for title in ("A", "B", "C"):
        tell(company, admin, title)
    services.notification_mark_read(user=admin, company=company, notification_id=Notification.objects.get(title="A").pk)
    tell(company, member(company, "sales"), "Not mine")
    request = RequestFactory().get("/")
    request.user, request.company = admin, company
    roles_in(admin, company)  # the shell has looked the roles up already for the menu
    # when a page draws the bell, it costs no query and asks for its count
    with django_assert_num_queries(0):
        html = Template("{% load notifications %}{% notification_bell %}").render(Context({"request": request}))
    assert f'hx-get="{reverse("notifications:bell")}"' in html and 'hx-trigger="load"' in html
    # when the bell fetches its count: the session, the user, their roles, the company and one COUNT
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("notifications:bell")).content.decode()
    assert len(queries) == 5 and sum("COUNT(" in q["sql"].upper() for q in queries) == 1
    # then it shows 2, and does not ask again
    assert ">2</span>" in html and "2 unread" in html and "hx-get" not in html


def test_the_bell_is_in_the_top_bar_for_staff_only(client, company, admin):
    client.force_login(admin)
    html = client.get(reverse("web:home")).content.decode()
    assert 'id="notification-bell"' in html and reverse("notifications:preferences") in html
    portal = member(company, "portal", party=party(company, "Customer"))
    request = RequestFactory().get("/")
    request.user, request.company = portal, company
    assert Template("{% load notifications %}{% notification_bell %}").render(Context({"request": request})) == ""


def test_the_inbox_shows_unread_first_then_newest(client, company, admin):
    # given an old unread, a newer read and the newest unread notification
    tell(company, admin, "Old unread")
    read = tell(company, admin, "Newer read")
    tell(company, admin, "Newest unread")
    services.notification_mark_read(user=admin, company=company, notification_id=read.pk)
    client.force_login(admin)
    # when the inbox opens
    page = client.get(reverse("notifications:inbox")).context["page"]
    # then unread come first, newest first
    assert [n.title for n in page.object_list] == ["Newest unread", "Old unread", "Newer read"]


def test_the_inbox_filters_by_kind_and_unread_and_pages_by_25(client, company, admin):
    for i in range(26):
        tell(company, admin, f"Low stock {i}", kind="stock_low")
    tell(company, admin, "Rule said hi")
    client.force_login(admin)
    response = client.get(reverse("notifications:inbox"), {"kind": "stock_low", "unread": "on", "page": 2})
    page = response.context["page"]
    assert (page.number, page.paginator.count, [n.title for n in page.object_list]) == (2, 26, ["Low stock 0"])
    assert "kind=stock_low&amp;unread=on&amp;page=1" in response.content.decode()
    # a kind that does not exist shows all rather than failing
    assert client.get(reverse("notifications:inbox"), {"kind": "gossip"}).context["page"].paginator.count == 27


def test_the_inbox_costs_the_same_queries_for_3_or_30_notifications(client, company, admin, django_assert_num_queries):
    client.force_login(admin)
    for i in range(3):
        tell(company, admin, f"N{i}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications:inbox")).status_code == 200
    for i in range(27):
        tell(company, admin, f"M{i}")
    with django_assert_num_queries(len(few)):
        assert client.get(reverse("notifications:inbox")).status_code == 200


def test_opening_a_notification_marks_it_read_and_goes_to_its_record(client, company, admin):
    notification = tell(company, admin, "Ticket", link="/support/tickets/3/")
    client.force_login(admin)
    response = client.post(reverse("notifications:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/support/tickets/3/"
    assert Notification.objects.get().read_at is not None


def test_mark_read_unread_and_all_read_come_back_to_the_inbox(client, company, admin):
    first, second = tell(company, admin, "One"), tell(company, admin, "Two")
    client.force_login(admin)
    inbox = reverse("notifications:inbox")
    response = client.post(reverse("notifications:notification_read", args=[first.pk]), {"next": f"{inbox}?kind=automation"})
    assert response["Location"] == f"{inbox}?kind=automation"
    assert Notification.objects.filter(read_at__isnull=True).get() == second
    client.post(reverse("notifications:notification_read", args=[first.pk]), {"unread": "1"})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    client.post(reverse("notifications:notification_read_all"), {"kind": ""})
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_persons_notification_is_not_found(client, company, admin):
    theirs = tell(company, member(company, "sales"), "Private")
    client.force_login(admin)
    for name in ("notifications:notification_open", "notifications:notification_read"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    assert Notification.objects.get().read_at is None


def test_the_preferences_page_shows_the_defaults_and_saves_choices(client, company, sales):
    client.force_login(sales)
    url = reverse("notifications:preferences")
    # given the defaults: every kind in the app; approvals mailed by their app
    html = client.get(url).content.decode()
    assert "Tickets assigned to me" in html and "Mailed by the app it comes from" in html
    # when the salesperson wants assigned opportunities at once and no overdue-invoice news at all
    data = {f"{kind}_in_app": "on" for kind in ("approval", "ticket_assigned", "opportunity_assigned", "stock_low", "automation")}
    data |= {f"{kind}_email": "digest" for kind in ("ticket_assigned", "stock_low", "automation")}
    data |= {"opportunity_assigned_email": "immediately", "invoice_overdue_email": "never"}
    response = client.post(url, data)
    # then they are saved
    assert response.status_code == 302
    assert Preference.objects.get(user=sales, kind="opportunity_assigned").email == "immediately"
    saved = Preference.objects.get(user=sales, kind="invoice_overdue")
    assert (saved.in_app, saved.email) == (False, "never")
    # and a mode that does not exist is refused on the form
    response = client.post(url, {**data, "automation_email": "hourly"})
    assert response.status_code == 200 and response.context["form"].errors
