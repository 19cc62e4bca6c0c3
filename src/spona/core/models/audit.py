from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit entries are append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which, in which request (QUALITY P6).

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses
    them for every database role too.
    """

    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    personal_data = ("target_repr", "changes")

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit entries are append-only.")
