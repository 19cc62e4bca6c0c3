"""Making notifications (recipients, preferences, one query to find them and one insert), reading and preferences."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Notification, Preference
from spona.core.errors import NotFound, PermissionDenied, ValidationFailed
from spona.core.models import Event
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def prefer(user, company, kind, *, in_app=True, email="digest"):
    services.preferences_save(user=user, company=company, preferences=[services.PreferenceIn(kind, in_app, email)])


def test_a_role_is_notified_in_one_query_and_one_insert(company, other_company):
    # given three buyers (one only wants e-mail, one wants nothing), a deactivated one,
    # a buyer of another company, a portal user and a salesperson
    buyers = [member(company, "operations") for _ in range(3)]
    prefer(buyers[1], company, "stock_low", in_app=False, email="immediately")
    prefer(buyers[2], company, "stock_low", in_app=False, email="never")
    member(company, "operations", is_active=False)
    member(other_company, "operations")
    member(company, "portal", party=party(company, "Customer"))
    member(company, "sales")
    # when the buyers are told about low stock
    with CaptureQueriesContext(connection) as queries:
        count = services.notify(company=company, kind="stock_low", role="operations", title="Paper is low", link="/purchasing/")
    # (the transaction's savepoint aside) the recipients with their preferences, then one insert
    statements = [q["sql"].split()[0].upper() for q in queries if "SAVEPOINT" not in q["sql"].upper()]
    assert statements == ["SELECT", "INSERT"]
    # then the first gets it in the app (digest), the second only by e-mail at once, the third nothing
    assert count == 2
    rows = Notification.objects.order_by("recipient_id").values_list("recipient_id", "in_app", "email", "read_at")
    assert list(rows) == [(buyers[0].pk, True, "digest", None), (buyers[1].pk, False, "immediately", None)]


def test_named_people_outside_the_company_or_excluded_are_not_notified(company, other_company, admin):
    # given a member, a member of another company and the actor
    agent = member(company, "support")
    stranger = member(other_company, "support")
    # when all three are named and the actor is excluded
    count = services.notify(
        company=company, kind="automation", user_ids=[agent.pk, stranger.pk, admin.pk], exclude_user_ids=[admin.pk], title="Hi"
    )
    # then only the member is notified
    assert count == 1
    assert list(Notification.objects.values_list("recipient_id", "company_id")) == [(agent.pk, company.pk)]


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("kind", {"kind": "gossip"}),
        ("title", {"title": "  "}),
        ("link", {"link": "https://evil.example/"}),
        ("link", {"link": "//evil.example/path"}),
        ("link", {"link": "/\\evil.example"}),
        ("role", {"role": "portal"}),
    ],
)
def test_a_notification_must_be_of_a_known_kind_with_a_title_and_a_link_inside_spona(company, admin, field, changes):
    arguments = {"company": company, "kind": "automation", "user_ids": [admin.pk], "title": "Hello", "link": "/", **changes}
    with pytest.raises(ValidationFailed) as caught:
        services.notify(**arguments)
    assert field in caught.value.field_errors
    assert not Notification.objects.exists()


def test_an_event_notifies_each_person_once_however_often_it_is_delivered(company, admin):
    # given an event
    event = Event.objects.create(name="core.party_created", company=company, payload={})
    # when the same notification is made for it twice
    for _ in range(2):
        services.notify(company=company, kind="automation", user_ids=[admin.pk], title="New party", event=event)
    # then there is one
    assert Notification.objects.filter(event=event).count() == 1


def test_news_mailed_by_its_source_is_not_mailed_again(company, admin):
    prefer(admin, company, "automation", email="immediately")
    services.notify(company=company, kind="automation", user_ids=[admin.pk], title="Approve this", mailed=True)
    assert Notification.objects.get().email == "never"


def test_marking_read_is_for_ones_own_notifications(company, admin):
    # given a notification for the admin and one for an agent
    agent = member(company, "support")
    services.notify(company=company, kind="automation", user_ids=[admin.pk, agent.pk], title="Hi")
    mine, theirs = Notification.objects.get(recipient=admin), Notification.objects.get(recipient=agent)
    # when the admin marks theirs read twice, and tries the agent's
    first = services.notification_mark_read(user=admin, company=company, notification_id=mine.pk).read_at
    assert services.notification_mark_read(user=admin, company=company, notification_id=mine.pk).read_at == first
    with pytest.raises(NotFound):
        services.notification_mark_read(user=admin, company=company, notification_id=theirs.pk)
    # then the agent's is untouched, and the admin may put theirs back among the unread
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert services.notification_mark_unread(user=admin, company=company, notification_id=mine.pk).read_at is None


def test_another_companys_notification_is_not_found_in_this_one(company, other_company):
    both = member(company, "sales")
    member_elsewhere = member(other_company, "sales", email="x@y.test")
    services.notify(company=other_company, kind="automation", user_ids=[member_elsewhere.pk], title="There")
    elsewhere = Notification.objects.get()
    with pytest.raises(NotFound):
        services.notification_mark_read(user=both, company=company, notification_id=elsewhere.pk)


def test_a_portal_user_has_no_notifications(company):
    portal = member(company, "portal", party=party(company, "Customer"))
    with pytest.raises(PermissionDenied):
        services.notifications_mark_all_read(user=portal, company=company)


def test_mark_all_read_takes_one_kind_or_all(company, admin):
    services.notify(company=company, kind="automation", user_ids=[admin.pk], title="A")
    services.notify(company=company, kind="stock_low", user_ids=[admin.pk], title="B")
    services.notify(company=company, kind="stock_low", user_ids=[admin.pk], title="C")
    assert services.notifications_mark_all_read(user=admin, company=company, kind="stock_low") == 2
    assert services.notifications_mark_all_read(user=admin, company=company) == 1
    with pytest.raises(ValidationFailed):
        services.notifications_mark_all_read(user=admin, company=company, kind="gossip")


def test_preferences_apply_to_notifications_still_waiting_for_the_digest(company, admin):
    # given two notifications waiting for the digest, and one the source mailed itself
    services.notify(company=company, kind="automation", user_ids=[admin.pk], title="A")
    services.notify(company=company, kind="automation", user_ids=[admin.pk], title="B")
    services.notify(company=company, kind="automation", user_ids=[admin.pk], title="Mailed", mailed=True)
    # when the admin stops e-mail for the kind, then asks for it at once
    prefer(admin, company, "automation", email="never")
    assert set(Notification.objects.values_list("email", flat=True)) == {"never"}
    prefer(admin, company, "automation", email="immediately")
    # then the two waiting ones stay unmailed (switched off first), and the preference is stored once
    assert sorted(Notification.objects.values_list("email", flat=True)) == ["never", "never", "never"]
    assert list(Preference.objects.values_list("kind", "email")) == [("automation", "immediately")]


def test_a_kind_mailed_by_its_source_app_keeps_no_email_preference(company, admin):
    prefer(admin, company, "approval", in_app=False, email="immediately")
    assert list(Preference.objects.values_list("kind", "in_app", "email")) == [("approval", False, "never")]


@pytest.mark.parametrize(
    "preferences",
    [
        [services.PreferenceIn("gossip", True, "never")],
        [services.PreferenceIn("automation", True, "hourly")],
        [services.PreferenceIn("automation", True, "never"), services.PreferenceIn("automation", False, "never")],
    ],
)
def test_preferences_refuse_unknown_kinds_and_modes_and_repeats(company, admin, preferences):
    with pytest.raises(ValidationFailed):
        services.preferences_save(user=admin, company=company, preferences=preferences)
    assert not Preference.objects.exists()
