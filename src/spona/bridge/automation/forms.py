"""Forms of the automation screens: they parse input; the services decide."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.bridge.automation.models import Rule
from spona.bridge.automation.models.approvals import APPROVER_ROLES
from spona.bridge.automation.services import PolicyStepIn, RuleIn

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


CONDITION_ROWS = 5
ACTION_ROWS = 3
# Which form slot holds which parameter of each action type (the builder has one row per action).
ACTION_SLOTS: dict[str, dict[str, str]] = {
    "create_task": {"subject": "text", "assignee": "to", "due_in_days": "days", "notes": "body"},
    "add_tag": {"tag": "text"},
    "send_email": {"to": "to", "subject": "text", "body": "body"},
    "notify": {"to": "to", "message": "body"},
    "call_webhook": {"webhook_id": "webhook"},
    "start_approval": {"kind": "key", "subject": "text"},
    "set_field": {"field": "key", "value": "text"},
}


def _condition_fields() -> list[tuple[str, str]]:
    from spona.bridge.automation import records
    from spona.core.events import EVENT_TYPES

    names: set[str] = set()
    for event in EVENT_TYPES.values():
        names |= {f"event.{name}" for name in event.payload.model_fields}
    for record_type in records.RECORD_TYPES.values():
        names |= {f"record.{name}" for name in record_type.fields}
    return [("", "—"), *((n, n) for n in sorted(names))]


class RuleForm(forms.Form):
    """The rule builder: a trigger, condition rows (field, operator, value), and action rows. No code."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Rule.Trigger.choices, widget=forms.RadioSelect)
    event_name = forms.ChoiceField(label=_("Event"), required=False)
    time_field = forms.ChoiceField(label=_("Date"), required=False, help_text=_("For a time trigger: the record and its date."))
    offset_days = forms.IntegerField(label=_("Days after the date"), required=False, min_value=-3650, max_value=3650, initial=0)
    match = forms.ChoiceField(
        label=_("Conditions"), choices=[("all", _("All conditions hold")), ("any", _("Any condition holds"))], initial="all"
    )

    def __init__(self, *args: Any, webhooks: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        from spona.bridge.automation import actions, conditions, records
        from spona.core.events import EVENT_TYPES

        super().__init__(*args, **kwargs)
        self.fields["event_name"].choices = [("", "—"), *((n, f"{n} — {e.description}") for n, e in sorted(EVENT_TYPES.items()))]
        self.fields["time_field"].choices = [("", "—")] + [
            (f"{rt.name}:{name}", f"{rt.label}: {label}")
            for rt in records.RECORD_TYPES.values()
            if rt.due is not None
            for name, label in rt.dates.items()
        ]
        fields = _condition_fields()
        for i in range(1, CONDITION_ROWS + 1):
            self.fields[f"c{i}_field"] = forms.ChoiceField(label=_("Field"), choices=fields, required=False)
            self.fields[f"c{i}_op"] = forms.ChoiceField(
                label=_("Operator"), choices=[(k, v) for k, v in conditions.OPERATORS.items()], required=False
            )
            self.fields[f"c{i}_value"] = forms.CharField(label=_("Value"), required=False, max_length=500)
        action_types = [("", "—"), *((a.name, a.label) for a in actions.ACTIONS.values())]
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"a{i}_type"] = forms.ChoiceField(label=_("Action"), choices=action_types, required=False)
            self.fields[f"a{i}_to"] = forms.CharField(
                label=_("Who"), required=False, max_length=40, help_text=_("record_owner, role:finance or user:<id>")
            )
            self.fields[f"a{i}_text"] = forms.CharField(label=_("Subject / tag / value"), required=False, max_length=200)
            self.fields[f"a{i}_body"] = forms.CharField(
                label=_("Text"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"a{i}_key"] = forms.CharField(label=_("Approval kind / field"), required=False, max_length=60)
            self.fields[f"a{i}_days"] = forms.IntegerField(label=_("Due in days"), required=False, min_value=0, max_value=365)
            self.fields[f"a{i}_webhook"] = forms.TypedChoiceField(
                label=_("Webhook"), required=False, coerce=int, empty_value=None, choices=[("", "—"), *(webhooks or [])]
            )

    @staticmethod
    def initial_from(rule: Rule) -> dict[str, Any]:
        """The form's values for a saved rule (the builder edits what it can show)."""
        initial: dict[str, Any] = {
            "name": rule.name,
            "description": rule.description,
            "trigger": rule.trigger,
            "event_name": rule.event_name,
            "time_field": f"{rule.record_type}:{rule.date_field}" if rule.record_type else "",
            "offset_days": rule.offset_days,
        }
        tree = rule.condition if isinstance(rule.condition, dict) else {}
        group = "any" if "any" in tree else "all"
        initial["match"] = group
        rows = [c for c in tree.get(group, []) if isinstance(c, dict) and "field" in c]
        for i, row in enumerate(rows[:CONDITION_ROWS], start=1):
            value = row.get("value", "")
            initial.update(
                {
                    f"c{i}_field": row["field"],
                    f"c{i}_op": row["op"],
                    f"c{i}_value": ", ".join(map(str, value)) if isinstance(value, list) else value,
                }
            )
        for i, action in enumerate(rule.actions[:ACTION_ROWS], start=1):
            initial[f"a{i}_type"] = action.get("type", "")
            for param, slot in ACTION_SLOTS.get(action.get("type", ""), {}).items():
                initial[f"a{i}_{slot}"] = action.get(param)
        return initial

    def rule_input(self) -> RuleIn:
        data = self.cleaned_data
        record_type, _sep, date_field = (data.get("time_field") or "").partition(":")
        rows = []
        for i in range(1, CONDITION_ROWS + 1):
            if not data.get(f"c{i}_field"):
                continue
            op, value = data[f"c{i}_op"], data.get(f"c{i}_value", "")
            row: dict[str, Any] = {"field": data[f"c{i}_field"], "op": op}
            if op == "in":
                row["value"] = [v.strip() for v in value.split(",") if v.strip()]
            elif op not in ("is_empty", "not_empty"):
                row["value"] = value
            rows.append(row)
        action_list = []
        for i in range(1, ACTION_ROWS + 1):
            kind = data.get(f"a{i}_type")
            if not kind:
                continue
            action: dict[str, Any] = {"type": kind}
            for param, slot in ACTION_SLOTS[kind].items():
                value = data.get(f"a{i}_{slot}")
                if value not in (None, ""):
                    action[param] = value
            action_list.append(action)
        return RuleIn(
            name=data["name"],
            description=data.get("description", ""),
            trigger=data["trigger"],
            event_name=data.get("event_name", ""),
            record_type=record_type,
            date_field=date_field,
            offset_days=data.get("offset_days") or 0,
            condition={data.get("match") or "all": rows},
            actions=action_list,
        )


class RuleTestForm(forms.Form):
    record_id = forms.IntegerField(
        label=_("Sample record id"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The id of a record to try the rule on."),
    )
    payload = forms.CharField(
        label=_("Sample event payload (JSON)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_payload(self) -> dict[str, Any]:
        text = self.cleaned_data.get("payload") or ""
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Give a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object."))
        return value


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    url = forms.CharField(label=_("Address"), max_length=500, help_text=_("https://… of the receiving system"))
    event_types = forms.MultipleChoiceField(label=_("Events"), widget=forms.SelectMultiple(attrs={"size": 10}))
    disable_after = forms.IntegerField(
        label=_("Switch off after failed attempts in a row"), min_value=1, max_value=1000, initial=10
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from spona.core.events import EVENT_TYPES

        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(n, n) for n in sorted(EVENT_TYPES)]
