"""Forms of the production screens: they parse input, the services decide.

Products are named by SKU or barcode (typed or scanned); a BoM's components and operations are
typed one per line, which keeps a long BoM quick to enter from the keyboard.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.back.production.models import ProductionOrder, ProductRoute

QUANTITY = {"max_digits": 16, "decimal_places": 4}
DATE = forms.DateInput(attrs={"type": "date"})


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *ProductionOrder.State.choices])
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class BomFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class OrderForm(forms.Form):
    product = forms.CharField(label=_("Product (SKU or barcode)"), max_length=60)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.0001"), **QUANTITY)
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)
    start_date = forms.DateField(label=_("Start"), required=False, widget=DATE)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100, help_text=_("E.g. the sales order."))

    def __init__(self, *args: Any, warehouses: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [(w.pk, str(w)) for w in warehouses]


class ProduceForm(forms.Form):
    quantity = forms.DecimalField(label=_("Good units"), min_value=Decimal("0.0001"), **QUANTITY)
    scrap_quantity = forms.DecimalField(label=_("Scrapped units"), required=False, min_value=Decimal(0), **QUANTITY)
    finish = forms.BooleanField(label=_("Close the order after this batch"), required=False)


class WorkCentreForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    hours_per_day = forms.DecimalField(
        label=_("Hours per day"), min_value=Decimal("0.01"), max_value=24, max_digits=5, decimal_places=2
    )
    working_days = forms.CharField(
        label=_("Working days"), max_length=7, initial="12345", help_text=_("Weekday digits, 1 = Monday … 7 = Sunday.")
    )
    cost_per_hour = forms.DecimalField(label=_("Cost per hour"), min_value=Decimal(0), max_digits=16, decimal_places=4)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RouteForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"), choices=ProductRoute.Route.choices)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise forms.ValidationError(_("%(value)s is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise forms.ValidationError(_("%(value)s is not a number.") % {"value": text})
    return value


class BomForm(forms.Form):
    """A new BoM version; components as "SKU quantity [scrap %]", operations as "CENTRE minutes-per-unit setup name"."""

    product = forms.CharField(label=_("Product (SKU or barcode)"), max_length=60)
    output_quantity = forms.DecimalField(label=_("Output quantity"), min_value=Decimal("0.0001"), initial=1, **QUANTITY)
    lines = forms.CharField(
        label=_("Components"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_("One per line: SKU, quantity per output, optional scrap %. E.g. LEG 4 5"),
    )
    operations = forms.CharField(
        label=_("Operations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        help_text=_("One per line: work centre code, minutes per unit, setup minutes, name. E.g. ASM 10 30 Assemble"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)
    activate = forms.BooleanField(label=_("Make it the active version"), required=False, initial=True)

    def clean_lines(self) -> list[tuple[str, Decimal, Decimal]]:
        parsed = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.split()
            if not parts:
                continue
            if len(parts) not in (2, 3):
                raise forms.ValidationError(_("Line %(n)s: give SKU, quantity and optionally scrap %%.") % {"n": number})
            parsed.append((parts[0], _decimal(parts[1]), _decimal(parts[2]) if len(parts) == 3 else Decimal(0)))
        if not parsed:
            raise forms.ValidationError(_("Add at least one component."))
        return parsed[:200]

    def clean_operations(self) -> list[tuple[str, Decimal, Decimal, str]]:
        parsed = []
        for number, raw in enumerate(self.cleaned_data["operations"].splitlines(), start=1):
            parts = raw.split(maxsplit=3)
            if not parts:
                continue
            if len(parts) < 4:
                raise forms.ValidationError(
                    _("Line %(n)s: give the work centre code, minutes per unit, setup minutes and a name.") % {"n": number}
                )
            parsed.append((parts[0].upper(), _decimal(parts[1]), _decimal(parts[2]), parts[3].strip()[:100]))
        return parsed[:50]
