from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models.base import CompanyOwned


class Sequence(CompanyOwned):
    """A gapless per-company number series (invoices, orders, …); see ``services.sequence_next``."""

    code = models.SlugField(_("code"), max_length=40)
    prefix = models.CharField(_("prefix"), max_length=20, blank=True)
    padding = models.PositiveSmallIntegerField(_("digits"), default=5)
    next_number = models.PositiveBigIntegerField(_("next number"), default=1)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="sequence_unique_code"),
            models.CheckConstraint(condition=models.Q(next_number__gte=1), name="sequence_next_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.prefix}…)"

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.padding}d}"
