"""Activities: calls, meetings, e-mails and tasks, each with a due time and an owner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Activity(CompanyOwned):
    """Something a salesperson does or did, about a lead, an opportunity or a party."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_at = models.DateTimeField(_("due"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("crm.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.CASCADE, null=True, blank=True, related_name="activities")
    party = models.ForeignKey("core.Party", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    # Set when the reminder went out, so that the scheduled job sends each reminder once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The Message-ID of the e-mail this activity records, so that a mail fetched twice is logged once.
    message_id = models.CharField(max_length=255, blank=True, editable=False)

    personal_data = ("subject", "notes")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["company", "owner", "done", "due_at"], name="crm_activity_day_idx"),
            models.Index(
                fields=["remind_at"],
                condition=models.Q(reminded_at__isnull=True, done=False, remind_at__isnull=False),
                name="crm_activity_remind_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
