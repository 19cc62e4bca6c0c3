"""Pipelines, their ordered stages, and the opportunities that move through them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Pipeline(CompanyOwned):
    """A sales process: an ordered list of stages; one pipeline per company is the default."""

    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint("company", condition=models.Q(is_default=True), name="crm_one_default_pipeline"),
        ]

    def __str__(self) -> str:
        return self.name


class Stage(CompanyOwned):
    """One step of a pipeline, with the probability of winning a deal that reached it."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    probability = models.DecimalField(
        _("probability %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    is_won = models.BooleanField(_("won"), default=False)
    is_lost = models.BooleanField(_("lost"), default=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["pipeline", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(is_won=True, is_lost=True), name="crm_stage_not_won_and_lost"),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0, probability__lte=100), name="crm_stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(CompanyOwned):
    """A deal being worked on: who, how much, when, and how far it got."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    title = models.CharField(_("title"), max_length=200)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    contact = models.ForeignKey(
        "core.Party", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    team = models.ForeignKey("crm.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="opportunities")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    expected_revenue = models.DecimalField(
        _("expected revenue"), max_digits=20, decimal_places=4, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    close_date = models.DateField(_("expected close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["company", "status", "stage"], name="crm_opp_board_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(expected_revenue__gte=0), name="crm_opp_revenue_not_negative"),
            models.CheckConstraint(condition=~models.Q(status="lost", lost_reason=""), name="crm_opp_lost_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
