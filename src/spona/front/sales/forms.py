"""Forms of the sales set-up screens: price lists with their prices, customer terms, customer groups, settings.

They parse input only; the services decide what is valid (unique names, products of the
company, a stale version) and the views show those refusals on the fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.front.sales import services
from spona.front.sales.models import PriceList, SalesSettings

# Empty price rows offered under a list's existing prices.
EXTRA_ROWS = 5
MONEY = {"max_digits": 16, "decimal_places": 4}


def _choices(pairs: list[tuple[int, str]]) -> list[tuple[Any, str]]:
    return [("", "—"), *pairs]


class PriceListForm(forms.Form):
    """A price list's header, then one row per price: a product, the quantity it applies from, the unit price."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("How salespeople recognise the list, e.g. “Wholesale 2026”.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3, help_text=_("Three-letter code, e.g. EUR."))
    customer_group = forms.TypedChoiceField(
        label=_("Customer group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only customers of this group get these prices; empty: every customer."),
    )
    date_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave both dates empty for a list that always applies."),
    )
    sequence = forms.IntegerField(
        label=_("Priority"), min_value=0, max_value=32767, initial=10, help_text=_("When two lists apply, the lower number wins.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, groups: list[tuple[int, str]], products: list[tuple[int, str]], rows: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_group"].choices = _choices(groups)  # type: ignore[attr-defined]
        self.rows = rows
        for i in range(rows):
            self.fields[f"product_{i}"] = forms.TypedChoiceField(
                label=_("Product"), choices=_choices(products), coerce=int, required=False, empty_value=None
            )
            self.fields[f"min_quantity_{i}"] = forms.DecimalField(
                label=_("From quantity"), required=False, min_value=Decimal("0.0001"), **MONEY
            )
            self.fields[f"price_{i}"] = forms.DecimalField(label=_("Unit price"), required=False, min_value=Decimal(0), **MONEY)

    @classmethod
    def initial_for(cls, price_list: PriceList | None) -> dict[str, Any]:
        if price_list is None:
            return {"sequence": 10, "is_active": True}
        initial: dict[str, Any] = {
            "name": price_list.name,
            "currency": price_list.currency,
            "customer_group": price_list.customer_group_id,
            "date_from": price_list.date_from,
            "date_to": price_list.date_to,
            "sequence": price_list.sequence,
            "is_active": price_list.is_active,
            "version": price_list.version,
        }
        for i, item in enumerate(price_list.items.all()):
            initial[f"product_{i}"] = item.product_id
            # Without the stored trailing zeros, and never in exponent form (50, not 5E+1).
            initial[f"min_quantity_{i}"] = format(item.min_quantity.normalize(), "f")
            initial[f"price_{i}"] = format(item.price.normalize(), "f")
        return initial

    def header_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in ("name", "currency", "customer_group", "sequence", "date_from", "date_to", "is_active", "version")
        ]

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"product_{i}"], self[f"min_quantity_{i}"], self[f"price_{i}"]) for i in range(self.rows)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.rows):
            if data.get(f"product_{i}") and data.get(f"price_{i}") is None:
                self.add_error(f"price_{i}", _("Give the price of this product."))
            if data.get(f"product_{i}") is None and data.get(f"price_{i}") is not None:
                self.add_error(f"product_{i}", _("Choose the product this price is for."))
        return data

    def items(self) -> list[services.PriceIn]:
        data = self.cleaned_data
        return [
            services.PriceIn(
                product_id=data[f"product_{i}"], price=data[f"price_{i}"], min_quantity=data[f"min_quantity_{i}"] or Decimal(1)
            )
            for i in range(self.rows)
            if data.get(f"product_{i}")
        ]

    def field_map(self) -> dict[str, str]:
        """Where the service's errors go: ``items[n]`` is the n-th filled row."""
        filled = [i for i in range(self.rows) if self.cleaned_data.get(f"product_{i}")]
        return {"customer_group_id": "customer_group", **{f"items[{n}]": f"product_{i}" for n, i in enumerate(filled)}}


class TermsForm(forms.Form):
    """How one customer buys."""

    party = forms.TypedChoiceField(label=_("Customer"), coerce=int)
    customer_group = forms.TypedChoiceField(
        label=_("Customer group"), coerce=int, required=False, empty_value=None, help_text=_("The group's price lists apply.")
    )
    price_list = forms.TypedChoiceField(
        label=_("Own price list"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Wins over the group's and the general lists."),
    )
    payment_term = forms.TypedChoiceField(label=_("Payment term"), coerce=int, required=False, empty_value=None)
    credit_limit = forms.DecimalField(
        label=_("Credit limit"),
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        help_text=_("Open and new orders above it wait for a manager (or are blocked); empty: no limit."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        parties: list[tuple[int, str]],
        groups: list[tuple[int, str]],
        price_lists: list[tuple[int, str]],
        terms: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = _choices(parties)  # type: ignore[attr-defined]
        self.fields["customer_group"].choices = _choices(groups)  # type: ignore[attr-defined]
        self.fields["price_list"].choices = _choices(price_lists)  # type: ignore[attr-defined]
        self.fields["payment_term"].choices = _choices(terms)  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    """A new customer group."""

    name = forms.CharField(label=_("New group"), max_length=100)


class SettingsForm(forms.Form):
    """The company's sales rules."""

    discount_limit = forms.DecimalField(
        label=_("Discount limit %"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_("A line discount above this needs a manager's approval before the quotation can be sent."),
    )
    credit_policy = forms.ChoiceField(
        label=_("Above the credit limit"),
        choices=SalesSettings.CreditPolicy.choices,
        help_text=_("What happens when an order takes a customer over its credit limit or it has overdue invoices."),
    )
    validity_days = forms.IntegerField(
        label=_("Quotation validity (days)"), min_value=1, max_value=365, help_text=_("A new quotation is valid this long.")
    )
    default_tax = forms.TypedChoiceField(
        label=_("Default sales tax"), coerce=int, required=False, empty_value=None, help_text=_("Put on lines that name no tax.")
    )
    warehouse = forms.TypedChoiceField(
        label=_("Ship from"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Empty: the first warehouse by code."),
    )

    def __init__(self, *args: Any, taxes: list[tuple[int, str]], warehouses: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_tax"].choices = _choices(taxes)  # type: ignore[attr-defined]
        self.fields["warehouse"].choices = _choices(warehouses)  # type: ignore[attr-defined]
