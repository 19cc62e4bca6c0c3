"""Forms of the purchasing screens: input parsing only, the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.back.purchasing.models import PurchaseOrder

DATE = forms.DateInput(attrs={"type": "date"})
STATE_CHOICES = [("", _("Any state")), ("rfq", _("Open RFQs")), *PurchaseOrder.State.choices]


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)


class OrderForm(forms.Form):
    """The header of an RFQ; the lines come in a LineFormSet."""

    supplier = forms.TypedChoiceField(label=_("Supplier"), coerce=int)
    warehouse = forms.TypedChoiceField(label=_("Deliver to"), coerce=int)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    order_date = forms.DateField(label=_("Order date"), required=False, widget=DATE)
    supplier_reference = forms.CharField(label=_("Supplier's reference"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, suppliers: list[tuple[int, str]], warehouses: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [("", ""), *suppliers]  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = warehouses  # type: ignore[attr-defined]


class LineForm(forms.Form):
    """One line; an empty product leaves the row out, an empty price takes the supplier's."""

    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False, empty_value=None)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=Decimal("0.0001"), max_digits=19, decimal_places=4
    )
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, min_value=Decimal(0), max_digits=19, decimal_places=6)
    taxes = forms.TypedMultipleChoiceField(label=_("Taxes"), coerce=int, required=False)

    def __init__(self, *args: Any, products: list[tuple[int, str]], taxes: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", ""), *products]  # type: ignore[attr-defined]
        self.fields["taxes"].choices = taxes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Give the quantity."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=100, absolute_max=100)


class RuleForm(forms.Form):
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)
    min_quantity = forms.DecimalField(label=_("Minimum"), min_value=Decimal(0), max_digits=19, decimal_places=4)
    max_quantity = forms.DecimalField(label=_("Maximum"), min_value=Decimal(0), max_digits=19, decimal_places=4)
    multiple = forms.DecimalField(
        label=_("Order in multiples of"), initial=1, min_value=Decimal("0.0001"), max_digits=19, decimal_places=4
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, products: list[tuple[int, str]], warehouses: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = products  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = warehouses  # type: ignore[attr-defined]


class RuleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


class BillForm(forms.Form):
    bill_date = forms.DateField(label=_("Bill date"), required=False, widget=DATE)
    reference = forms.CharField(label=_("Supplier's invoice number"), max_length=100, required=False)


class BillPostForm(forms.Form):
    confirm_differences = forms.BooleanField(label=_("I checked the differences of the match"), required=False)


class SettingsForm(forms.Form):
    approval_threshold = forms.DecimalField(
        label=_("Orders above this amount need approval"), min_value=Decimal(0), max_digits=19, decimal_places=4
    )
