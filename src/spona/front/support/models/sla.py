"""Service levels: business-hours calendars with holidays, and the policies that set ticket targets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class BusinessCalendar(CompanyOwned):
    """Opening hours in a time zone: ``hours`` maps ISO weekday ("1" Monday … "7" Sunday) to
    a list of ``["09:00", "17:00"]`` intervals, local time. Holidays close whole days."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    hours = models.JSONField(_("opening hours"), default=dict)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", "name", name="support_calendar_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from spona.front.support.clock import parse_hours

        try:
            parse_hours(self.hours)
        except ValueError as exc:
            raise ValidationError({"hours": str(exc)}) from None


class Holiday(CompanyOwned):
    """A day the calendar's team does not work."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint("calendar", "date", name="support_holiday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(CompanyOwned):
    """Targets (minutes of business time) for a kind of ticket; the first active match by
    ``sequence`` applies. A blank condition matches anything; no calendar means round the clock."""

    name = models.CharField(_("name"), max_length=100)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.CharField(_("priority"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    customer_tag = models.CharField(_("customer tag"), max_length=60, blank=True, help_text=_("e.g. VIP, Gold"))
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="policies")
    first_response_minutes = models.PositiveIntegerField(_("first response (min)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (min)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (min)"))
    warning_percent = models.PositiveSmallIntegerField(_("warn at % of target"), default=75)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_response_minutes__gt=0, next_response_minutes__gt=0, resolution_minutes__gt=0),
                name="support_sla_targets_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99), name="support_sla_warning_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name
