from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    """When a periodic job last ran; the row lock makes one worker run it while others skip."""

    name = models.CharField(max_length=100, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
