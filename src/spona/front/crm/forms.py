"""Input parsing of the CRM screens: typed fields, no business decisions (the services decide)."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from spona.front.crm.models import Activity, AssignmentRule, Lead, Opportunity, SalesTarget

AMOUNT = {"max_digits": 20, "decimal_places": 4, "min_value": 0, "max_value": 10**13}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PARTY_SEARCH = reverse_lazy("web:party_search")


def party_widget() -> forms.Select:
    return forms.Select(attrs={"data-party-picker": "true", "data-url": PARTY_SEARCH})


def set_party_choices(field: forms.Field, parties: list[Any]) -> None:
    """Offer the already chosen parties, so a re-shown form keeps them (the picker loads the rest)."""
    field.widget.choices = [("", ""), *((p.pk, p.name) for p in parties if p is not None)]


NO_OWNER = _("Nobody (assignment rules decide)")


def user_choices(users: list[Any], empty: Any = NO_OWNER) -> list[tuple[Any, str]]:
    return [("", empty), *((u.pk, u.full_name or u.email) for u in users)]


class LeadForm(forms.Form):
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=200)
    company_name = forms.CharField(label=_("Company name"), required=False, max_length=200)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two letters, e.g. RS."))
    source = forms.ChoiceField(label=_("Source"), choices=Lead.Source.choices, initial=Lead.Source.MANUAL)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users)


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *Lead.Status.choices])
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("Any source")), *Lead.Source.choices])
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users, _("Anyone"))


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[(k, v) for k, v in Lead.Status.choices if k != Lead.Status.QUALIFIED])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class QualifyForm(forms.Form):
    title = forms.CharField(label=_("Opportunity title"), required=False, max_length=200)
    expected_revenue = forms.DecimalField(label=_("Expected revenue"), initial=0, **AMOUNT)
    close_date = forms.DateField(label=_("Expected close"), required=False, widget=DATE)
    organisation = forms.IntegerField(
        label=_("Organisation"), required=False, min_value=1, max_value=2**63 - 1, widget=party_widget(),
        help_text=_("Leave empty to reuse a party with the same name, or register one."),
    )  # fmt: skip
    contact = forms.IntegerField(
        label=_("Contact"), required=False, min_value=1, max_value=2**63 - 1, widget=party_widget(),
        help_text=_("Leave empty to reuse a person with the same e-mail or name, or register one."),
    )  # fmt: skip


class TargetForm(forms.Form):
    subject = forms.ChoiceField(label=_("Person or team"))
    period = forms.ChoiceField(label=_("Period"), choices=SalesTarget.Period.choices)
    start = forms.DateField(label=_("Day of the period"), widget=DATE, help_text=_("Any day of the month or quarter."))
    amount = forms.DecimalField(label=_("Target revenue"), **AMOUNT)

    def __init__(self, *args: Any, users: list[Any], teams: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [
            (_("Teams"), [(f"team:{t.pk}", t.name) for t in teams]),
            (_("People"), [(f"user:{u.pk}", u.full_name or u.email) for u in users]),
        ]

    def subject_ids(self) -> tuple[int | None, int | None]:
        """``(owner_id, team_id)`` of the chosen subject."""
        kind, _sep, pk = self.cleaned_data["subject"].partition(":")
        return (int(pk), None) if kind == "user" else (None, int(pk))


class DashboardFilterForm(forms.Form):
    period = forms.CharField(label=_("Period"), required=False, max_length=7, help_text=_("2026-05, 2026-Q2 or 2026."))
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, users: list[Any], teams: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users, _("Anyone"))
        self.fields["team"].choices = [("", _("Any team")), *((t.pk, t.name) for t in teams)]


class OpportunityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    party = forms.IntegerField(label=_("Organisation"), min_value=1, max_value=2**63 - 1, widget=party_widget())
    contact = forms.IntegerField(label=_("Contact"), required=False, min_value=1, max_value=2**63 - 1, widget=party_widget())
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    expected_revenue = forms.DecimalField(label=_("Expected revenue"), initial=0, **AMOUNT)
    close_date = forms.DateField(label=_("Expected close"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, users: list[Any], teams: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users, _("Me"))
        self.fields["team"].choices = [("", _("No team")), *((t.pk, t.name) for t in teams)]


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *Opportunity.Status.choices])
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args: Any, users: list[Any], teams: list[Any], stages: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users, _("Anyone"))
        self.fields["team"].choices = [("", _("Any team")), *((t.pk, t.name) for t in teams)]
        self.fields["stage"].choices = [("", _("Any stage")), *((s.pk, s.name) for s in stages)]


class LoseForm(forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=200)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    remind_at = forms.DateTimeField(
        label=_("Remind me"),
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("The owner gets an e-mail at this time."),
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    lead = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    opportunity = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = user_choices(users, _("Me"))


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    members = forms.TypedMultipleChoiceField(label=_("Members"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False)
    leader = forms.TypedChoiceField(label=_("Leader"), required=False, coerce=int, empty_value=None)
    countries = forms.CharField(
        label=_("Territory"), required=False, max_length=300, help_text=_("Country codes, e.g. RS, HR, SI.")
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(u.pk, u.full_name or u.email) for u in users]
        self.fields["leader"].choices = user_choices(users, _("No leader"))


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    method = forms.ChoiceField(label=_("Method"), choices=AssignmentRule.Method.choices)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    sequence = forms.IntegerField(label=_("Sequence"), min_value=0, max_value=100000, initial=10)

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]


# The public lead form -------------------------------------------------------------------------

FORM_SALT = "spona.crm.lead_form"


class PublicLeadForm(forms.Form):
    """The web form a company links from its site. Two spam traps: ``website`` is hidden from
    people (bots fill it in), and ``started`` is the signed time the form was served (bots
    post faster than anyone can type)."""

    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    company_name = forms.CharField(label=_("Company"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two letters, e.g. RS."))
    notes = forms.CharField(
        label=_("How can we help?"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    website = forms.CharField(
        required=False, max_length=200, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    started = forms.CharField(widget=forms.HiddenInput, max_length=200)

    MIN_SECONDS = 3
    MAX_AGE = 24 * 3600

    @staticmethod
    def stamp() -> str:
        return signing.dumps(time.time(), salt=FORM_SALT)

    def is_spam(self) -> bool:
        """Tell whether the honeypot was filled or the form came back too fast (or with a forged or old stamp)."""
        if self.cleaned_data.get("website"):
            return True
        try:
            started = float(signing.loads(self.cleaned_data.get("started", ""), salt=FORM_SALT, max_age=self.MAX_AGE))
        except (signing.BadSignature, TypeError, ValueError):
            return True
        return time.time() - started < self.MIN_SECONDS
