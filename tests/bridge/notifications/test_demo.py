from __future__ import annotations

import random

import pytest

from spona.bridge.notifications.demo import build_notifications
from spona.bridge.notifications.models import Notification
from spona.core.demo import DemoContext
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def test_the_demo_step_welcomes_every_demo_user_and_shows_each_kind(company):
    # given the demo users of a few roles, and a customer's portal user
    users = {role: member(company, role) for role in ("admin", "sales", "support", "finance", "operations")}
    users["portal"] = member(company, "portal", party=party(company, "Customer"))
    ctx = DemoContext(company=company, users=users, rng=random.Random(3), organisations=0, persons=0)
    # when the notifications step runs
    build_notifications(ctx)
    # then each user has a welcome, the four department users a sample of their kind, some read and some not
    assert Notification.objects.filter(kind="automation").count() == 5
    assert sorted(Notification.objects.exclude(kind="automation").values_list("kind", flat=True)) == [
        "invoice_overdue",
        "opportunity_assigned",
        "stock_low",
        "ticket_assigned",
    ]
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("kind", flat=True))
    assert read == {"automation"}
    assert Notification.objects.filter(kind="automation", read_at__isnull=True).exists()
    assert sorted(ctx.records["notifications"]) == sorted(Notification.objects.values_list("pk", flat=True))
