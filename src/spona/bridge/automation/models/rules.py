"""Automation rules: when an event happens or a date passes, and conditions hold, run actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


def _match_all() -> dict[str, list[object]]:
    return {"all": []}


class Rule(CompanyOwned):
    """A company's rule; it runs with the permissions of ``run_as``, the admin who last saved it."""

    class Trigger(models.TextChoices):
        EVENT = "event", _("When an event happens")
        TIME = "time", _("When a date has passed")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=False, editable=False)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.EVENT)
    event_name = models.CharField(_("event"), max_length=100, blank=True)
    record_type = models.CharField(_("record type"), max_length=60, blank=True)
    date_field = models.CharField(_("date field"), max_length=60, blank=True)
    offset_days = models.IntegerField(_("days after the date"), default=0)
    condition = models.JSONField(_("conditions"), default=_match_all)
    actions = models.JSONField(_("actions"), default=list)
    run_as = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    example_key = models.CharField(max_length=60, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The version a dry run last succeeded on: a rule is switched on only after its current version was tested.
    tested_version = models.PositiveIntegerField(default=0, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "is_active", "event_name"], name="automation_rule_event_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset_days__gte=-3650, offset_days__lte=3650), name="automation_rule_offset_range"
            ),
            models.CheckConstraint(
                condition=models.Q(trigger="event", event_name__gt="")
                | models.Q(trigger="time", record_type__gt="", date_field__gt=""),
                name="automation_rule_trigger_complete",
            ),
            models.UniqueConstraint(
                fields=["company", "example_key"], condition=~models.Q(example_key=""), name="automation_rule_example_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_tested(self) -> bool:
        return self.tested_version == self.version


class RuleRun(CompanyOwned):
    """One evaluation of a rule for one event or record, with its outcome and what each action did."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Actions ran")
        NOT_MATCHED = "not_matched", _("Conditions did not hold")
        FAILED = "failed", _("Failed")
        LOOP_BLOCKED = "loop_blocked", _("Stopped: loop")
        DRY_RUN = "dry_run", _("Dry run")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    event = models.ForeignKey("core.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    record_type = models.CharField(max_length=60, blank=True)
    record_id = models.PositiveBigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    # Runs caused by one original change share a chain; it bounds how deep rules may trigger rules.
    chain = models.CharField(max_length=64, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    # Set for time rules: a rule acts on a record once, however often the schedule looks.
    once_key = models.CharField(max_length=100, null=True, blank=True)
    detail = models.JSONField(default=list)
    error = models.CharField(max_length=500, blank=True)

    personal_data = ("detail",)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["rule", "-created_at"], name="automation_run_rule_idx"),
            models.Index(fields=["chain"], name="automation_run_chain_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "once_key"], condition=models.Q(once_key__isnull=False), name="automation_run_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.get_outcome_display()}"
