"""The kinds of notification: what each is about, and how it is mailed unless a user says otherwise.

A kind is the unit of a user's preferences ("ticket assigned to me: in the app, no e-mail").
Adding a kind is one line here; the preferences page and the API list them from ``KINDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class EmailMode(models.TextChoices):
    """When a notification is also sent by e-mail."""

    IMMEDIATELY = "immediately", _("Immediately")
    DIGEST = "digest", _("In the daily digest")
    NEVER = "never", _("Never")


@dataclass(frozen=True)
class Kind:
    name: str
    label: Promise
    help: Promise
    email: EmailMode = EmailMode.DIGEST
    # False when the source app mails the news itself: the person chooses only the app.
    emailable: bool = True


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "approval",
            _("Approvals"),
            _("A request waits for your decision, or a request you made was decided. The approvals app e-mails these itself."),
            EmailMode.NEVER,
            emailable=False,
        ),
        Kind("ticket_assigned", _("Tickets assigned to me"), _("A support ticket was given to you.")),
        Kind("opportunity_assigned", _("Opportunities assigned to me"), _("A new opportunity names you as its owner.")),
        Kind(
            "invoice_overdue",
            _("Overdue invoices of my customers"),
            _("An invoice of a customer you look after passed its due date unpaid."),
        ),
        Kind(
            "stock_low",
            _("Stock below the reorder point"),
            _("A product's forecast stock fell below its reorder point (for buyers)."),
        ),
        Kind("automation", _("Automation rules"), _("An automation rule of your company sent you a message.")),
    )
}
