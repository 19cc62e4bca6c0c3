"""The demo company's notifications: a few for each demo user, some read, so the bell and inbox show something.

Registered after the other steps (order 800): the events those steps published have already
notified whom they concern; this step adds a welcome and a sample of each kind.
"""

from __future__ import annotations

from django.urls import reverse

from spona.bridge.notifications import services
from spona.bridge.notifications.models import Notification
from spona.core.demo import DemoContext, register_step
from spona.core.permissions import has_perm

SAMPLES = {
    "sales": ("opportunity_assigned", "Opportunity Fleet renewal is yours", "Expected revenue 12,000.00, stage Qualification."),
    "support": ("ticket_assigned", "A ticket was assigned to you", "The customer cannot log in to the portal."),
    "finance": ("invoice_overdue", "An invoice of Nordwind GmbH is overdue", "4,250.00 EUR was due 14 days ago."),
    "operations": ("stock_low", "Paper A4 is below its reorder point in the main warehouse", "Forecast 40, reorder point 100."),
}


def build_notifications(ctx: DemoContext) -> None:
    company = ctx.company
    # The portal user is a customer: no inbox.
    staff = sorted((u for u in ctx.users.values() if has_perm(u, "notifications.use", company)), key=lambda u: u.pk)
    user_ids = [user.pk for user in staff]
    services.notify(
        company=company,
        kind="automation",
        user_ids=user_ids,
        title="Welcome to the Spona demo",
        body="The bell shows what needs you. Choose what you are told, and when by e-mail, under Preferences.",
        link=reverse("notifications:preferences"),
    )
    for role, (kind, title, body) in SAMPLES.items():
        user = ctx.users.get(role)
        if user is not None:
            services.notify(company=company, kind=kind, user_ids=[user.pk], title=title, body=body)
    # Half the users, at random, have read the welcome, so the inbox shows both states.
    for user in staff:
        if ctx.rng.random() < 0.5:
            services.notifications_mark_all_read(user=user, company=company, kind="automation")
    ctx.records["notifications"] = list(Notification.objects.filter(company=company).values_list("pk", flat=True))


register_step("notifications", build_notifications, order=800)
