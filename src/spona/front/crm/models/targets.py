"""Sales targets: how much a person or a team should win in a month or a quarter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class SalesTarget(CompanyOwned):
    """The revenue a salesperson or a sales team should win in one month or one quarter.

    Exactly one of ``owner`` and ``team`` is set; ``start`` is the first day of the period
    (a quarter starts in January, April, July or October). One target per subject and period.
    """

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    team = models.ForeignKey(
        "crm.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="targets", verbose_name=_("team")
    )
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    start = models.DateField(_("starts"))
    amount = models.DecimalField(
        _("target revenue"), max_digits=20, decimal_places=4, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(owner__isnull=True) & models.Q(team__isnull=False))
                | (models.Q(owner__isnull=False) & models.Q(team__isnull=True)),
                name="crm_target_person_or_team",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="crm_target_not_negative"),
            models.UniqueConstraint(
                "company", "owner", "period", "start", condition=models.Q(owner__isnull=False), name="crm_target_person_once"
            ),
            models.UniqueConstraint(
                "company", "team", "period", "start", condition=models.Q(team__isnull=False), name="crm_target_team_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name()} {self.label()}"

    def subject_name(self) -> str:
        if self.team_id:
            return self.team.name
        return self.owner.full_name or self.owner.email

    def months(self) -> int:
        return 3 if self.period == self.Period.QUARTER else 1

    def end(self) -> dt.date:
        """The first day after the period."""
        month = self.start.month - 1 + self.months()
        return dt.date(self.start.year + month // 12, month % 12 + 1, 1)

    def label(self) -> str:
        if self.period == self.Period.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return self.start.strftime("%Y-%m")
