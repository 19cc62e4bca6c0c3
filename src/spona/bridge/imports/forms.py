"""Input of the import screens: the upload, and the column mapping with the kind's options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.bridge.imports.readers import MAX_BYTES
from spona.bridge.imports.registry import Field, Importer

DATE = forms.DateInput(attrs={"type": "date"})


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("The first row names the columns. CSV in UTF-8 or Windows encoding, separated by commas or semicolons."),
    )

    def __init__(self, *args: Any, importers: list[Importer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(i.kind, _(i.label)) for i in importers]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB; split it.") % {"mb": MAX_BYTES // 1_000_000})
        return upload


def _option_field(spec: Field) -> forms.Field:
    common: dict[str, Any] = {"label": _(spec.label), "help_text": _(spec.help) if spec.help else ""}
    if spec.type == "bool":
        return forms.BooleanField(required=False, **common)
    if spec.type == "date":
        return forms.DateField(required=spec.required, widget=DATE, **common)
    return forms.CharField(required=spec.required, **common)


class MappingForm(forms.Form):
    """One choice per column of the file (which field it fills, or none), then the kind's options."""

    def __init__(self, *args: Any, importer: Importer, headers: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —"))] + [(f.name, f"{_(f.label)}{' *' if f.required else ''}") for f in importer.fields]
        self.columns = [h for h in headers if h]
        for index, header in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(label=header, choices=choices, required=False)
        self.option_names = [spec.name for spec in importer.options]
        for spec in importer.options:
            self.fields[f"option_{spec.name}"] = _option_field(spec)

    def mapping(self) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"column_{i}") or "" for i, h in enumerate(self.columns)}

    def options(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in self.option_names:
            value = self.cleaned_data.get(f"option_{name}")
            found[name] = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value)
        return found

    @staticmethod
    def initial_for(mapping: dict[str, str], headers: list[str], options: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"column_{i}": mapping.get(h, "") for i, h in enumerate(h for h in headers if h)}
        initial.update({f"option_{k}": v for k, v in options.items()})
        return initial

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{i}"] for i in range(len(self.columns))]

    def option_fields(self) -> list[forms.BoundField]:
        return [self[f"option_{n}"] for n in self.option_names]
