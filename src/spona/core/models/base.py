from __future__ import annotations

from django.db import models


class Stamped(models.Model):
    """Created and updated stamps that every business record carries."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class CompanyOwned(Stamped):
    """A business record that belongs to exactly one company (SEC4: scoping starts here)."""

    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True
