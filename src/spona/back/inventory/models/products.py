from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}
QUANTITY = {"max_digits": 20, "decimal_places": 4}
FACTOR = {"max_digits": 24, "decimal_places": 10}


class ProductCategory(CompanyOwned):
    """A node in the company's product category tree; it chooses how its products' stock is valued.

    ``costing_method``: outgoing stock leaves at the running average cost, or at the cost of
    the oldest receipts still in stock (FIFO). Products without a category use the average.
    """

    class CostingMethod(models.TextChoices):
        AVERAGE = "average", _("Average cost")
        FIFO = "fifo", _("First in, first out (FIFO)")

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    costing_method = models.CharField(
        _("costing method"), max_length=7, choices=CostingMethod.choices, default=CostingMethod.AVERAGE
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name_plural = _("product categories")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("company", "parent", Lower("name"), name="product_category_unique_name"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="product_category_not_own_parent"),
            models.CheckConstraint(condition=Q(costing_method__in=["average", "fifo"]), name="product_category_costing_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class UomCategory(CompanyOwned):
    """A family of units that convert into each other (count, weight, length …)."""

    name = models.CharField(_("name"), max_length=60)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("unit category")
        verbose_name_plural = _("unit categories")
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", Lower("name"), name="uom_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class Uom(CompanyOwned):
    """A unit of measure: ``factor`` reference units of its category make one of this unit.

    The category's reference unit has factor 1 (a dozen has 12, a gram 0.001 against the
    kilogram). ``rounding`` is the smallest quantity that can be counted in this unit.
    """

    category = models.ForeignKey(UomCategory, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=30)
    factor = models.DecimalField(_("factor"), default=Decimal(1), **FACTOR)
    rounding = models.DecimalField(_("rounding"), default=Decimal("0.01"), **QUANTITY)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("unit of measure")
        ordering = ["category_id", "factor", "name"]
        constraints = [
            models.UniqueConstraint("company", Lower("name"), name="uom_unique_name"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="uom_factor_positive"),
            models.CheckConstraint(condition=Q(rounding__gt=0), name="uom_rounding_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def round(self, quantity: Decimal) -> Decimal:
        """Round half up to the smallest countable quantity of this unit."""
        return (quantity / self.rounding).quantize(Decimal(1), rounding=ROUND_HALF_UP) * self.rounding

    def is_exact(self, quantity: Decimal) -> bool:
        return quantity % self.rounding == 0


class ProductAttribute(CompanyOwned):
    """A dimension along which a product template has variants (size, colour …)."""

    name = models.CharField(_("name"), max_length=60)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint("company", Lower("name"), name="product_attribute_unique_name")]

    def __str__(self) -> str:
        return self.name


class ProductAttributeValue(models.Model):
    """One value of an attribute (size M, colour red); ``code`` goes into variant SKUs."""

    attribute = models.ForeignKey(ProductAttribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20)
    sequence = models.PositiveSmallIntegerField(default=0)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["attribute_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint("attribute", Lower("name"), name="attribute_value_unique_name"),
            models.UniqueConstraint("attribute", Lower("code"), name="attribute_value_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.name}"


class ProductTemplate(CompanyOwned):
    """What the variants of one product share; each combination of attribute values is a Product."""

    name = models.CharField(_("name"), max_length=200)
    sku_prefix = models.CharField(_("SKU prefix"), max_length=40)
    attributes = models.ManyToManyField(ProductAttribute, blank=True, related_name="templates")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "sku_prefix"], name="product_template_unique_prefix")]

    def __str__(self) -> str:
        return self.name


class Product(CompanyOwned):
    """Something the company sells, buys, stocks or consumes.

    Quantities of stock are kept in ``uom``; purchases may use ``purchase_uom`` of the same
    unit category. ``version`` grows on every edit so that a stale edit is refused (QUALITY C2).
    A variant points to its template and carries one value per attribute of the template.
    """

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods (stocked)")
        SERVICE = "service", _("Service")
        CONSUMABLE = "consumable", _("Consumable")

    class Tracking(models.TextChoices):
        NONE = "none", _("No tracking")
        LOT = "lot", _("By lot")
        SERIAL = "serial", _("By serial number")

    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=60)
    barcode = models.CharField(_("barcode"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="products")
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    purchase_uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("purchase unit"))
    sale_price = models.DecimalField(_("sale price"), default=Decimal(0), **MONEY)
    cost_price = models.DecimalField(_("cost price"), default=Decimal(0), **MONEY)
    tracking = models.CharField(_("tracking"), max_length=6, choices=Tracking.choices, default=Tracking.NONE)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    template = models.ForeignKey(ProductTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="variants")
    attribute_values = models.ManyToManyField(ProductAttributeValue, blank=True, related_name="variants")
    # Sorted value ids ("4.9.12") of a variant: one product per combination of a template.
    variant_key = models.CharField(max_length=200, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["company", "name", "id"], name="product_company_name_id")]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="product_unique_sku"),
            models.UniqueConstraint(fields=["company", "barcode"], condition=~Q(barcode=""), name="product_unique_barcode"),
            models.UniqueConstraint(
                fields=["template", "variant_key"], condition=Q(template__isnull=False), name="product_unique_variant"
            ),
            models.CheckConstraint(condition=Q(kind__in=["goods", "service", "consumable"]), name="product_kind_valid"),
            models.CheckConstraint(condition=Q(tracking__in=["none", "lot", "serial"]), name="product_tracking_valid"),
            models.CheckConstraint(condition=Q(sale_price__gte=0) & Q(cost_price__gte=0), name="product_prices_not_negative"),
            models.CheckConstraint(condition=~Q(sku=""), name="product_sku_not_empty"),
            models.CheckConstraint(condition=Q(kind="goods") | Q(tracking="none"), name="product_only_goods_are_tracked"),
        ]

    def __str__(self) -> str:
        return f"[{self.sku}] {self.name}"

    def is_stocked(self) -> bool:
        """Goods and consumables move through locations; services never do."""
        return self.kind != self.Kind.SERVICE

    def is_tracked(self) -> bool:
        return self.tracking != self.Tracking.NONE


class SupplierInfo(CompanyOwned):
    """How one supplier sells one product: their code, lead time and price breaks."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="suppliers")
    supplier = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+")
    supplier_code = models.CharField(_("supplier's code"), max_length=60, blank=True)
    supplier_name = models.CharField(_("supplier's product name"), max_length=200, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=0)
    sequence = models.PositiveSmallIntegerField(_("preference"), default=10)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["product_id", "sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "supplier"], name="supplier_info_unique")]

    def __str__(self) -> str:
        return f"{self.supplier_id} → {self.product_id}"


class SupplierPriceBreak(models.Model):
    """The unit price (in the purchase unit) from a minimum quantity on."""

    supplier_info = models.ForeignKey(SupplierInfo, on_delete=models.CASCADE, related_name="price_breaks")
    min_quantity = models.DecimalField(_("from quantity"), **QUANTITY)
    price = models.DecimalField(_("unit price"), **MONEY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["supplier_info_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["supplier_info", "min_quantity"], name="price_break_unique_quantity"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0) & Q(price__gte=0), name="price_break_not_negative"),
        ]

    def __str__(self) -> str:
        return f"≥{self.min_quantity}: {self.price}"
