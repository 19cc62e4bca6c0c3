"""One notification for the SEC1 matrices of the web UI and the API: another person's, with the sentinel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Notification, Preference
from spona.core.models import Company
from tests.factories import member

SENTINEL = "Sentinel Victim"
API_GROUP = "notifications"
# Every staff member has an inbox and preferences of their own, so any may read these.
STAFF_READABLE = ("/notifications",)
# What a staff member without any department role gets when changing things here: the victim's
# notification is not theirs (404); marking all of their own read and their own preferences work.
PERSONAL = {
    ("post", "/notifications/{notification_id}/read"): 404,
    ("post", "/notifications/{notification_id}/unread"): 404,
    ("post", "/notifications/read-all"): 200,
    ("put", "/notifications/preferences"): 200,
}
PK_OF = {"notifications:notification_": "notification_id"}


def records(company: Company) -> dict[str, int]:
    """Notify a sales member with the sentinel in the title and text."""
    victim = member(company, "sales", full_name=f"{SENTINEL} Notified")
    services.notify(
        company=company,
        kind="automation",
        user_ids=[victim.pk],
        title=f"{SENTINEL} bonus approved",
        body=f"{SENTINEL} details",
        link="/notifications/",
    )
    notification = Notification.objects.get(recipient=victim)
    return {"notification_id": notification.pk, "notification_user_id": victim.pk}


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "read_all_notifications": lambda ids: {},
    "set_notification_preferences": lambda ids: {"preferences": [{"kind": "automation", "in_app": False, "email": "never"}]},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's notification is still unread and theirs; their preferences were not set by anyone."""
    notification = Notification.objects.get(pk=ids["notification_id"])
    assert (notification.recipient_id, notification.read_at) == (ids["notification_user_id"], None)
    assert not Preference.objects.filter(user_id=ids["notification_user_id"]).exists()
