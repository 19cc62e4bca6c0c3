from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """A domain event in the transactional outbox: written in the same transaction as the change."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, null=True, related_name="+")
    party = models.ForeignKey("core.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey("core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payload = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    personal_data = ("payload",)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventDelivery(models.Model):
    """One event for one subscribed handler; ``done`` is the processed-event record.

    A handler's work and the switch to ``done`` commit in one transaction, so a redelivery
    after a crash either finds ``done`` (and does nothing) or finds the work rolled back.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        DEAD = "dead", _("Dead letter")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    personal_data = ("last_error",)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="event_delivery_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="event_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.handler} ({self.status})"


class TimelineEntry(models.Model):
    """One line on a party's 360° timeline, written by the timeline handler from an event."""

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("core.Party", on_delete=models.CASCADE, related_name="timeline")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    department = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    occurred_at = models.DateTimeField(db_index=True)

    personal_data = ("title", "detail")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["party", "event"], name="timeline_unique_event")]
        indexes = [models.Index(fields=["party", "-occurred_at", "-id"], name="timeline_party_recent")]

    def __str__(self) -> str:
        return self.title
