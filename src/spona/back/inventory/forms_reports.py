"""Filter forms of the inventory reports: they parse the query string; the reports decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spona.back.inventory.forms import DATE
from spona.back.inventory.models import Warehouse

GROUP_CHOICES = [("product", _("Product")), ("category", _("Category")), ("warehouse", _("Warehouse"))]


class ValuationForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE)
    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUP_CHOICES)

    def values(self) -> tuple[dt.date, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("as_of") or timezone.localdate(), data.get("group_by") or "product"


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def values(self) -> tuple[dt.date, dt.date]:
        """The period asked for; by default the last 365 days up to today."""
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or timezone.localdate()
        return data.get("date_from") or date_to - dt.timedelta(days=364), date_to


class SlowMoversForm(forms.Form):
    days = forms.IntegerField(label=_("No move out for (days)"), required=False, min_value=1, max_value=3650)

    def values(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("days") or 90


class ForecastForm(forms.Form):
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, warehouses: list[Warehouse], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [("", _("All warehouses")), *((w.pk, f"{w.code} {w.name}") for w in warehouses)]

    def values(self) -> int | None:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("warehouse")
