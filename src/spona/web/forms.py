"""Forms of the shell: they parse and re-display input; every decision is the services' to make."""

from __future__ import annotations

import calendar
import zoneinfo
from typing import Any

from babel.numbers import list_currencies
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from spona.core.models import Address, Company, Party, PartyRole, Role
from spona.core.services import AddressInput, PartyInput

LANGUAGE_CHOICES = [("", _("Not set")), *settings.LANGUAGES]
STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.PORTAL]


def _lines(text: str) -> list[str]:
    """Split a text area into its non-empty lines; commas also separate values."""
    return [part.strip() for line in (text or "").splitlines() for part in line.split(",") if part.strip()]


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PartyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Party.Kind.choices])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *PartyRole.Kind.choices])
    tag = forms.ChoiceField(label=_("Tag"), required=False, choices=[("", _("All tags"))])
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tags: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All tags")), *((t, t) for t in tags)]


class PartyForm(forms.Form):
    """An organisation or a person with contact data, roles and tags; ``kind`` is fixed per form."""

    kind = forms.ChoiceField(choices=Party.Kind.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line; the first is the main address."),
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, with the country code for foreign numbers, e.g. +381 11 123 4567."),
    )
    tax_id = forms.CharField(label=_("Tax id"), required=False, max_length=40)
    tax_country = forms.CharField(
        label=_("Tax country"), required=False, max_length=2, help_text=_("Two-letter country code, e.g. RS.")
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, choices=PartyRole.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas."), widget=forms.TextInput()
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_duplicate = forms.BooleanField(label=_("Yes, register it anyway"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Party.Kind.PERSON:
            del self.fields["name"]
        else:
            del self.fields["given_name"]
            del self.fields["family_name"]
        self.fields["tags"].widget.attrs["data-tag-input"] = "true"

    @classmethod
    def initial_for(cls, party: Party) -> dict[str, Any]:
        contacts = list(party.contact_points.all())
        return {
            "kind": party.kind,
            "version": party.version,
            "name": party.name,
            "given_name": party.given_name,
            "family_name": party.family_name,
            "emails": "\n".join(c.value for c in contacts if c.kind == "email"),
            "phones": "\n".join(c.value for c in contacts if c.kind == "phone"),
            "tax_id": party.tax_id,
            "tax_country": party.tax_country,
            "website": party.website,
            "language": party.language,
            "roles": [r.role for r in party.roles.all()],
            "tags": ", ".join(t.name for t in party.tags.all()),
            "notes": party.notes,
        }

    def to_input(self, addresses: list[AddressInput]) -> PartyInput:
        data = self.cleaned_data
        return PartyInput(
            kind=self.kind,
            name=data.get("name", ""),
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            tax_id=data["tax_id"],
            tax_country=data["tax_country"],
            website=data["website"],
            language=data["language"],
            notes=data["notes"],
            emails=_lines(data["emails"]),
            phones=_lines(data["phones"]),
            addresses=addresses,
            roles=list(data["roles"]),
            tags=_lines(data["tags"]),
        )


class AddressForm(forms.Form):
    # Not required: a row left empty (with its type at the default) is simply skipped.
    kind = forms.ChoiceField(label=_("Address type"), choices=Address.Kind.choices, initial=Address.Kind.MAIN, required=False)
    line1 = forms.CharField(label=_("Street and number"), required=False, max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two-letter code, e.g. RS."))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(f) for f in ("line1", "line2", "postal_code", "city", "region", "country"))

    def to_input(self) -> AddressInput:
        data = self.cleaned_data
        return AddressInput(
            kind=data["kind"] or Address.Kind.MAIN,
            line1=data["line1"],
            line2=data["line2"],
            postal_code=data["postal_code"],
            city=data["city"],
            region=data["region"],
            country=data["country"],
        )


AddressFormSet = forms.formset_factory(AddressForm, extra=1, can_delete=True, max_num=10, validate_max=True)


def address_inputs(formset: forms.BaseFormSet) -> list[AddressInput]:
    """Return the addresses the user filled in (blank and deleted rows left out)."""
    return [
        f.to_input() for f in formset.forms if not f.is_blank() and not (formset.can_delete and formset._should_delete_form(f))
    ]


def address_initial(party: Party) -> list[dict[str, Any]]:
    return [
        {f: getattr(a, f) for f in ("kind", "line1", "line2", "postal_code", "city", "region", "country")}
        for a in party.addresses.all()
    ]


# A link is stored in one direction; the form also offers the inverse, seen from this party.
LINK_CHOICES = [
    ("works_at", _("works at")),
    ("works_at:inverse", _("employs")),
    ("subsidiary_of", _("is a subsidiary of")),
    ("subsidiary_of:inverse", _("is the parent company of")),
    ("partner_of", _("is a partner of")),
    ("related_to", _("is related to")),
]


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Link"), choices=LINK_CHOICES)
    other = forms.IntegerField(label=_("Other party"), widget=forms.Select(attrs={"data-party-picker": "true"}))
    title = forms.CharField(label=_("Job title"), required=False, max_length=100)

    def direction(self, party_id: int) -> tuple[int, int, str]:
        """Return ``(from_party_id, to_party_id, kind)`` as the service stores the link."""
        kind, _sep, inverse = self.cleaned_data["kind"].partition(":")
        other = self.cleaned_data["other"]
        return (other, party_id, kind) if inverse else (party_id, other, kind)


class MergeForm(forms.Form):
    merge_id = forms.IntegerField(widget=forms.HiddenInput)


class InviteUserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=STAFF_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), required=False, choices=STAFF_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class CompanyForm(forms.Form):
    """The settings ``services.company_update`` accepts (its COMPANY_EDITABLE fields)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    base_currency = forms.ChoiceField(label=_("Base currency"))
    locale = forms.ChoiceField(label=_("Language of documents"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("Two-letter code, e.g. RS."))
    tax_id = forms.CharField(label=_("Tax id"), required=False, max_length=40)
    fiscal_year_start_month = forms.TypedChoiceField(label=_("Fiscal year starts in"), coerce=int)
    rounding = forms.ChoiceField(label=_("Rounding"), choices=Company.Rounding.choices)
    tax_rounding = forms.ChoiceField(label=_("Tax rounding"), choices=Company.TaxRounding.choices)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["base_currency"].choices = [(c, c) for c in sorted(list_currencies())]
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["fiscal_year_start_month"].choices = [(i, calendar.month_name[i]) for i in range(1, 13)]

    @staticmethod
    def initial_for(company: Company) -> dict[str, Any]:
        return {f: getattr(company, f) for f in CompanyForm.base_fields}


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Record type"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, options: dict[str, list[Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone")), *((u.pk, str(u)) for u in options["actors"])]
        self.fields["action"].choices = [("", _("Any action")), *((a, a) for a in options["actions"])]
        self.fields["target_type"].choices = [("", _("Any record")), *((t, t) for t in options["target_types"])]


class CodeForm(forms.Form):
    """The second step of logging in, and the confirmation of a new authenticator app."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off"}),
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
    )


class PasswordConfirmForm(forms.Form):
    """Asks for the password again before a change to how the user logs in."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
