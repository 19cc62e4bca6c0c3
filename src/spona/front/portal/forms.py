"""Forms of the portal: they parse and re-display input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class InviteForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), help_text=_("The invitation goes to this address; it becomes their login."))
    language = forms.ChoiceField(label=_("Language of the e-mail and the portal"), choices=settings.LANGUAGES, initial="en")


class AcceptForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=_("At least 10 characters; not only digits, not a common password."),
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class TicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("A few words about the problem; articles that may answer it appear below while you type."),
    )
    text = forms.CharField(label=_("Message"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the articles"), required=False, max_length=200)
