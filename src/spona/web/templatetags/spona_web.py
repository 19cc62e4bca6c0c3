"""Template helpers of the shell: form widgets with Bootstrap's classes and error state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import phonenumbers
from django import forms, template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from spona.core.models import Role

register = template.Library()

# Timeline departments are app labels; "core" is the party registry itself.
DEPARTMENTS = {"core": _("Registry"), **dict(Role.choices)}


def _css_class(widget: forms.Widget) -> str:
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def widget(field: forms.BoundField, **attrs: Any) -> SafeString:
    """Render a field's input with Bootstrap's class, marked invalid when the field has errors.

    Django adds ``aria-invalid`` and ``aria-describedby`` (help text and errors) itself.
    """
    css = " ".join(c for c in (_css_class(field.field.widget), attrs.pop("class", ""), "is-invalid" if field.errors else "") if c)
    # Template keywords cannot hold a hyphen: data_url="…" becomes data-url="…".
    extra = {k.replace("_", "-") if k.startswith(("data_", "aria_")) else k: v for k, v in attrs.items()}
    return field.as_widget(attrs={"class": css, **extra})


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_multiple_choice(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.simple_tag
def choice_input(choice: Any, invalid: bool = False) -> SafeString:
    """Render one checkbox of a multiple-choice field with Bootstrap's class."""
    choice.data["attrs"]["class"] = "form-check-input is-invalid" if invalid else "form-check-input"
    return choice.tag()


@register.filter
def change_rows(changes: Any) -> list[tuple[str, tuple[Any, Any]]]:
    """Turn an audit entry's ``{field: [old, new]}`` into rows; a bare value reads as the new value."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for field, values in changes.items():
        if isinstance(values, (list, tuple)) and len(values) == 2:
            rows.append((str(field), (values[0], values[1])))
        else:
            rows.append((str(field), (None, values)))
    return rows


@register.filter
def department(code: str) -> str:
    """Name a timeline department for people: ``core`` reads as Registry, ``hr`` as Human resources."""
    return str(DEPARTMENTS.get(code, code.capitalize()))


@register.filter
def phone(value: str) -> str:
    """Show an E.164 number the way people write it: +381 11 3234567."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(value, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value


@register.filter
def timesince_delta(delta: timedelta) -> str:
    """Say how long a duration is in words ("3 minutes"), like ``timesince`` does for a date."""
    now = timezone.now()
    return timesince(now - delta, now)
