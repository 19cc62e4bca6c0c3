"""Forms of the inventory screens: they parse and re-display input; every decision is the services' to make."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spona.back.inventory.models import Location, Product, ProductAttributeValue, ProductCategory, Transfer, Uom
from spona.back.inventory.services import CountIn, ProductInput, TemplateInput, TransferLineIn

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUANTITY = {"max_digits": 16, "decimal_places": 4}
MONEY = {"max_digits": 16, "decimal_places": 4}


def _picker(url: str, placeholder: Any, kind: str = "product") -> forms.Select:
    """A select that tom-select turns into a search box answered by ``url`` (JSON)."""
    return forms.Select(attrs={f"data-{kind}-picker": "true", "data-url": url, "placeholder": placeholder})


def set_choices(field: forms.Field, records: list[Any], label: Any = str) -> None:
    """Give a picker the options it must show before any search: the records already chosen."""
    field.widget.choices = [("", ""), *((r.pk, label(r)) for r in records)]


def _unit_choices(units: list[Uom]) -> list[tuple[Any, str]]:
    return [(u.pk, f"{u.name} ({u.category.name})") for u in units]


def _category_choices(categories: list[ProductCategory]) -> list[tuple[Any, str]]:
    return [("", _("No category")), *((c.pk, c.name) for c in categories)]


# Products ------------------------------------------------------------------------------------


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Product.Kind.choices])
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Archived")), ("all", _("Active and archived"))],
    )
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: list[ProductCategory], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *((c.pk, c.name) for c in categories)]

    def active_filter(self) -> bool | None:
        value = getattr(self, "cleaned_data", {}).get("active") or ""
        return {"": True, "inactive": False, "all": None}.get(value, True)


class ProductForm(forms.Form):
    """What a clerk may set on a product; the version guards against a stale edit."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    sku = forms.CharField(label=_("SKU"), max_length=60, help_text=_("Your own article number; unique in the company."))
    barcode = forms.CharField(label=_("Barcode"), required=False, max_length=60, help_text=_("EAN, UPC or your own code."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices, initial=Product.Kind.GOODS)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    uom = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    purchase_uom = forms.TypedChoiceField(
        label=_("Purchase unit"), required=False, coerce=int, empty_value=None, help_text=_("Empty: the same as the unit.")
    )
    sale_price = forms.DecimalField(label=_("Sale price"), min_value=0, initial=Decimal(0), **MONEY)
    cost_price = forms.DecimalField(label=_("Cost price"), min_value=0, initial=Decimal(0), **MONEY)
    tracking = forms.ChoiceField(label=_("Tracking"), choices=Product.Tracking.choices, initial=Product.Tracking.NONE)
    allow_negative_stock = forms.BooleanField(label=_("Allow negative stock"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, units: list[Uom], categories: list[ProductCategory], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["uom"].choices = _unit_choices(units)
        self.fields["purchase_uom"].choices = [("", _("Same as the unit")), *_unit_choices(units)]
        self.fields["category"].choices = _category_choices(categories)

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        return {
            "version": product.version,
            "name": product.name,
            "sku": product.sku,
            "barcode": product.barcode,
            "kind": product.kind,
            "category": product.category_id,
            "uom": product.uom_id,
            "purchase_uom": product.purchase_uom_id,
            "sale_price": product.sale_price.normalize(),
            "cost_price": product.cost_price.normalize(),
            "tracking": product.tracking,
            "allow_negative_stock": product.allow_negative_stock,
            "is_active": product.is_active,
        }

    def to_input(self) -> ProductInput:
        data = self.cleaned_data
        return ProductInput(
            name=data["name"],
            sku=data["sku"],
            barcode=data["barcode"],
            kind=data["kind"],
            category_id=data["category"],
            uom_id=data["uom"],
            purchase_uom_id=data["purchase_uom"],
            sale_price=data["sale_price"],
            cost_price=data["cost_price"],
            tracking=data["tracking"],
            allow_negative_stock=data["allow_negative_stock"],
            is_active=data["is_active"],
        )


# Service field names → form field names, where they differ.
PRODUCT_FIELD_MAP = {"uom_id": "uom", "purchase_uom_id": "purchase_uom", "category_id": "category"}


class TemplateForm(forms.Form):
    """A product with variants: one variant per combination of the chosen attribute values."""

    name = forms.CharField(label=_("Name"), max_length=200)
    sku_prefix = forms.CharField(label=_("SKU prefix"), max_length=40, help_text=_("Variants get SKUs like TS-M-RED."))
    values = forms.TypedMultipleChoiceField(label=_("Attribute values"), coerce=int, widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices, initial=Product.Kind.GOODS)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    uom = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    sale_price = forms.DecimalField(label=_("Sale price"), min_value=0, initial=Decimal(0), **MONEY)
    cost_price = forms.DecimalField(label=_("Cost price"), min_value=0, initial=Decimal(0), **MONEY)
    tracking = forms.ChoiceField(label=_("Tracking"), choices=Product.Tracking.choices, initial=Product.Tracking.NONE)

    def __init__(
        self,
        *args: Any,
        units: list[Uom],
        categories: list[ProductCategory],
        values: list[ProductAttributeValue],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["uom"].choices = _unit_choices(units)
        self.fields["category"].choices = _category_choices(categories)
        self.fields["values"].choices = [(v.pk, f"{v.attribute.name}: {v.name}") for v in values]

    def to_input(self) -> TemplateInput:
        data = self.cleaned_data
        defaults = ProductInput(
            name="",
            sku="",
            uom_id=data["uom"],
            kind=data["kind"],
            category_id=data["category"],
            sale_price=data["sale_price"],
            cost_price=data["cost_price"],
            tracking=data["tracking"],
        )
        return TemplateInput(name=data["name"], sku_prefix=data["sku_prefix"], defaults=defaults, value_ids=list(data["values"]))


class AttributeForm(forms.Form):
    name = forms.CharField(label=_("Attribute"), max_length=60, help_text=_("For example Size or Colour."))
    values = forms.CharField(
        label=_("Values"), max_length=1000, help_text=_("Separate them with commas, in the order they should appear: S, M, L.")
    )

    def value_list(self) -> list[str]:
        return [v.strip() for v in self.cleaned_data["values"].replace("\n", ",").split(",") if v.strip()]


class SupplierInfoForm(forms.Form):
    """How one supplier sells the product; price breaks are typed one per line as "quantity: price"."""

    supplier = forms.IntegerField(label=_("Supplier"), min_value=1)
    supplier_code = forms.CharField(label=_("Supplier's code"), required=False, max_length=60)
    supplier_name = forms.CharField(label=_("Supplier's product name"), required=False, max_length=200)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3, help_text=_("Empty: the company's."))
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, max_value=3650, initial=0)
    sequence = forms.IntegerField(label=_("Preference"), min_value=0, max_value=1000, initial=10, help_text=_("Lower first."))
    price_breaks = forms.CharField(
        label=_("Price breaks"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('One per line, "from quantity: unit price", e.g. "1: 4.20" and "100: 3.90".'),
    )

    def __init__(self, *args: Any, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].widget = _picker(search_url, _("Search suppliers"), kind="party")

    def clean_price_breaks(self) -> list[tuple[Decimal, Decimal]]:
        breaks = []
        for number, line in enumerate(self.cleaned_data["price_breaks"].splitlines(), start=1):
            if not line.strip():
                continue
            quantity, sep, price = line.partition(":")
            try:
                parsed = (Decimal(quantity.strip()), Decimal(price.strip()))
            except InvalidOperation:
                parsed = None
            if not sep or parsed is None or not all(p.is_finite() for p in parsed):
                raise forms.ValidationError(_('Line %(n)s: write "quantity: price", e.g. "10: 3.50".') % {"n": number})
            if any(abs(p) >= Decimal("1e12") for p in parsed):
                raise forms.ValidationError(_("Line %(n)s: the number is too large.") % {"n": number})
            breaks.append(parsed)
        if not breaks:
            raise forms.ValidationError(_("Give at least one price."))
        return breaks


# Stock and moves -------------------------------------------------------------------------------


class StockFilterForm(forms.Form):
    q = forms.CharField(label=_("Product"), required=False, max_length=100)
    location = forms.TypedChoiceField(label=_("Location"), required=False, coerce=int, empty_value=None)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("All stock locations")), *((x.pk, x.full_name) for x in locations)]


class MoveFilterForm(forms.Form):
    product = forms.IntegerField(label=_("Product"), required=False, min_value=1, max_value=2**63 - 1)
    location = forms.TypedChoiceField(label=_("Location"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, locations: list[Location], search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [("", _("Any location")), *((x.pk, x.full_name) for x in locations)]
        self.fields["product"].widget = _picker(search_url, _("Any product"))


# Transfers --------------------------------------------------------------------------------------


class TransferFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Transfer.Kind.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("Any state")), *Transfer.State.choices])
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)


class TransferForm(forms.Form):
    """The header of a new transfer; the locations default to the warehouse's for the kind."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Transfer.Kind.choices)
    warehouse = forms.TypedChoiceField(label=_("Warehouse"), coerce=int)
    party = forms.IntegerField(label=_("Partner"), required=False, min_value=1, max_value=2**63 - 1)
    reference = forms.CharField(label=_("Source document"), required=False, max_length=100)
    scheduled_date = forms.DateField(label=_("Scheduled for"), required=False, widget=DATE)
    to_location = forms.TypedChoiceField(
        label=_("To location"), required=False, coerce=int, empty_value=None, help_text=_("Internal transfers only.")
    )
    barcode = forms.CharField(label=_("Scan a barcode"), required=False, max_length=60)

    def __init__(self, *args: Any, warehouses: list[Any], locations: list[Location], search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [(w.pk, str(w)) for w in warehouses]
        self.fields["to_location"].choices = [("", _("Default")), *((x.pk, x.full_name) for x in locations)]
        self.fields["party"].widget = _picker(search_url, _("Search partners"), kind="party")
        self.fields["barcode"].widget.attrs.update(
            {
                "data-barcode-input": "true",
                "autocomplete": "off",
                "inputmode": "text",
                "placeholder": _("Scan or type, then Enter"),
            }
        )


class TransferLineForm(forms.Form):
    product = forms.IntegerField(label=_("Product"), min_value=1, max_value=2**63 - 1)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.0001"), initial=Decimal(1), **QUANTITY)
    lot = forms.CharField(label=_("Lot / serial"), required=False, max_length=100)

    def __init__(self, *args: Any, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget = _picker(search_url, _("Search products"))

    def has_changed(self) -> bool:
        # A row with no product chosen is an empty row, whatever its quantity says.
        return bool(self["product"].value())

    def to_input(self) -> TransferLineIn:
        data = self.cleaned_data
        return TransferLineIn(product_id=data["product"], quantity=data["quantity"], lot=data.get("lot") or "")


class LineFormSet(forms.BaseFormSet):
    """Rows of a document; rows removed from the page or left empty are skipped."""

    def used_forms(self) -> list[Any]:
        return [f for f in self.forms if f.has_changed()]


TransferLineFormSet = forms.formset_factory(
    TransferLineForm, formset=LineFormSet, extra=0, max_num=200, validate_max=True, absolute_max=200
)


class ValidateForm(forms.Form):
    """The quantities actually moved per line (named ``line-<id>``), and what happens to the rest."""

    backorder = forms.BooleanField(
        label=_("Create a backorder for the rest"),
        required=False,
        initial=True,
        help_text=_("Unticked, whatever is not moved now is cancelled."),
    )

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"line-{line.pk}"] = forms.DecimalField(
                label=f"{line.product.sku}", min_value=0, max_value=line.quantity, initial=line.quantity.normalize(), **QUANTITY
            )

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"line-{line.pk}"] for line in self.lines}

    def rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(line, self[f"line-{line.pk}"]) for line in self.lines]


# Warehouses, locations, counts, scrap ----------------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.TypedChoiceField(
        label=_("Inside"), coerce=int, required=False, empty_value=None, help_text=_("Leave empty for a top-level category.")
    )
    costing_method = forms.ChoiceField(
        label=_("Costing method"),
        choices=ProductCategory.CostingMethod.choices,
        initial=ProductCategory.CostingMethod.AVERAGE,
        help_text=_(
            "How stock leaving the warehouse is valued: at the running average cost of the stock, or at the cost of the "
            "oldest receipts still in stock (FIFO). It can change only until the category's stock has been valued."
        ),
    )

    def __init__(self, *args: Any, parents: list[ProductCategory], locked: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("No parent")), *((c.pk, c.name) for c in parents)]
        if locked:
            # The stock of this category is valued: the method is shown, not offered.
            self.fields["costing_method"].disabled = True
            self.fields["costing_method"].help_text = _(
                "Stock of this category has been valued with this method; it stays as it is."
            )


class WarehouseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("Short, used in locations and numbers: WH."))
    name = forms.CharField(label=_("Name"), max_length=100)


class LocationForm(forms.Form):
    parent = forms.TypedChoiceField(label=_("Inside"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("A zone, an aisle, a shelf: no slash."))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Location.Kind.INTERNAL, _("Holds stock")), (Location.Kind.VIEW, _("Only groups other locations"))],
        initial=Location.Kind.INTERNAL,
    )
    barcode = forms.CharField(label=_("Barcode"), required=False, max_length=60)

    def __init__(self, *args: Any, parents: list[Location], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(x.pk, x.full_name) for x in parents]


class CountForm(forms.Form):
    """A physical count: one counted quantity per product and lot already in the books, plus added rows."""

    reason = forms.CharField(label=_("Reason"), max_length=200, help_text=_('For example "Annual count 2026".'))

    def __init__(self, *args: Any, sheet: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for row in sheet:
            self.fields[f"count-{row.quant_id}"] = forms.DecimalField(
                label=f"{row.sku} {row.lot}".strip(), min_value=0, required=False, **QUANTITY
            )

    def rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(row, self[f"count-{row.quant_id}"]) for row in self.sheet]

    def counts(self) -> list[CountIn]:
        """The rows counted (left empty: not counted, left as they are)."""
        return [
            CountIn(product_id=row.product_id, counted=self.cleaned_data[f"count-{row.quant_id}"], lot=row.lot)
            for row in self.sheet
            if self.cleaned_data.get(f"count-{row.quant_id}") is not None
        ]


class CountExtraForm(forms.Form):
    """A product found in the location that the books do not show there."""

    product = forms.IntegerField(label=_("Product"), required=False, min_value=1, max_value=2**63 - 1)
    lot = forms.CharField(label=_("Lot / serial"), required=False, max_length=100)
    counted = forms.DecimalField(label=_("Counted"), required=False, min_value=0, **QUANTITY)

    def __init__(self, *args: Any, search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget = _picker(search_url, _("Search products"))

    def to_count(self) -> CountIn | None:
        data = self.cleaned_data
        if not data.get("product") or data.get("counted") is None:
            return None
        return CountIn(product_id=data["product"], counted=data["counted"], lot=data.get("lot") or "")


class ScrapForm(forms.Form):
    product = forms.IntegerField(label=_("Product"), min_value=1, max_value=2**63 - 1)
    location = forms.TypedChoiceField(label=_("From location"), coerce=int)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.0001"), **QUANTITY)
    lot = forms.CharField(label=_("Lot / serial"), required=False, max_length=100)
    reason = forms.CharField(label=_("Reason"), max_length=180, help_text=_("Damaged, expired …"))

    def __init__(self, *args: Any, locations: list[Location], search_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(x.pk, x.full_name) for x in locations]
        self.fields["product"].widget = _picker(search_url, _("Search products"))
