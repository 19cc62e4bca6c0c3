"""Forms of the automation screens: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.bridge.automation.models.approvals import APPROVER_ROLES
from spona.bridge.automation.services import PolicyStepIn

POLICY_STEP_ROWS = 4
KNOWN_KINDS = ("sales.discount", "sales.credit_limit", "purchasing.order")


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PolicyForm(forms.Form):
    """A policy's kind and name, then up to four steps; empty step rows are ignored."""

    kind = forms.CharField(
        label=_("Kind"), max_length=60, help_text=_("What is approved, e.g. %(kinds)s.") % {"kinds": ", ".join(KNOWN_KINDS)}
    )
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, POLICY_STEP_ROWS + 1):
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("Step %(n)s: role") % {"n": i}, choices=[("", "—"), *APPROVER_ROLES], required=i == 1
            )
            self.fields[f"min_amount_{i}"] = forms.DecimalField(
                label=_("Step %(n)s: from amount") % {"n": i}, required=False, min_value=Decimal(0), decimal_places=2
            )

    def steps(self) -> list[PolicyStepIn]:
        data = self.cleaned_data
        return [
            PolicyStepIn(role=data[f"role_{i}"], min_amount=data.get(f"min_amount_{i}") or Decimal(0))
            for i in range(1, POLICY_STEP_ROWS + 1)
            if data.get(f"role_{i}")
        ]
