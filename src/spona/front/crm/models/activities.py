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

    personal_data = ("subject", "notes")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["company", "owner", "done", "due_at"], name="crm_activity_day_idx")]

    def __str__(self) -> str:
        return self.subject
