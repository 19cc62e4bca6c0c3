"""Forms of the notification pages: the inbox filter and the preferences, one pair of fields per kind."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.bridge.notifications.kinds import KINDS, EmailMode
from spona.bridge.notifications.selectors import PreferenceRow
from spona.bridge.notifications.services import PreferenceIn


class InboxFilterForm(forms.Form):
    """What the inbox shows: one kind or all, unread only or all."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *((k.name, k.label) for k in KINDS.values())]
    )
    unread = forms.BooleanField(label=_("Unread only"), required=False)


class PreferencesForm(forms.Form):
    """For each kind: show it in Spona or not, and when to e-mail it."""

    def __init__(self, *args: Any, rows: list[PreferenceRow], **kwargs: Any) -> None:
        initial = {}
        for row in rows:
            initial[f"{row.kind}_in_app"] = row.in_app
            initial[f"{row.kind}_email"] = row.email
        super().__init__(*args, initial=initial, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row.kind}_in_app"] = forms.BooleanField(label=_("Show in Spona"), required=False)
            if row.emailable:
                self.fields[f"{row.kind}_email"] = forms.ChoiceField(label=_("E-mail"), choices=EmailMode.choices)

    def kinds(self) -> list[tuple[PreferenceRow, forms.BoundField, forms.BoundField | None]]:
        """Each kind with its two fields, for the template's table."""
        return [(row, self[f"{row.kind}_in_app"], self[f"{row.kind}_email"] if row.emailable else None) for row in self.rows]

    def preferences(self) -> list[PreferenceIn]:
        return [
            PreferenceIn(
                kind=row.kind,
                in_app=self.cleaned_data[f"{row.kind}_in_app"],
                email=self.cleaned_data.get(f"{row.kind}_email", EmailMode.NEVER),
            )
            for row in self.rows
        ]
