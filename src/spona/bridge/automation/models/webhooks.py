"""Outgoing webhooks: subscriptions to events, and the log of every delivery attempt."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Webhook(CompanyOwned):
    """A receiver outside Spona that gets a signed POST for each event of the listed types."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("address"), max_length=500)
    event_types = models.JSONField(_("events"), default=list, help_text=_("Names of the events to send."))
    # Shared with the receiver to check the HMAC signature; shown to administrators only.
    secret = models.CharField(max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disable_after = models.PositiveSmallIntegerField(
        _("disable after failures"), default=10, help_text=_("Consecutive failed attempts before the webhook is switched off.")
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(disable_after__gte=1), name="automation_webhook_disable_after_positive")
        ]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook; the body is kept so that it can be replayed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("core.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event_name = models.CharField(max_length=100)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    personal_data = ("body",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="automation_delivery_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"], condition=models.Q(replay_of__isnull=True), name="automation_delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.webhook}"
