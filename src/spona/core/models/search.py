from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """One record as global search sees it: its kind, its id, and its text, folded for matching.

    The full-text index over ``folded`` is engine-specific and lives in the migration: a GIN
    index over ``to_tsvector('simple', folded)`` on PostgreSQL, an FTS5 table kept in step by
    triggers on SQLite (``spona.core.search`` queries both).
    """

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    folded = models.TextField(help_text="Title and searchable text, lower-cased and without diacritics.")
    updated_at = models.DateTimeField(auto_now=True)

    # Copies of names, e-mails and phone numbers from the records themselves.
    personal_data: tuple[str, ...] = ("title", "subtitle", "folded")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]
        indexes = [models.Index(fields=["company", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
