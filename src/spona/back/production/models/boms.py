"""Work centres, routes per product and bills of materials with their operations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

QUANTITY = {"max_digits": 20, "decimal_places": 4}
MONEY = {"max_digits": 20, "decimal_places": 4}
MINUTES = {"max_digits": 12, "decimal_places": 2}


class WorkCentre(CompanyOwned):
    """A place where operations are done (a machine, an assembly bench) with its daily capacity.

    ``working_days`` lists the ISO weekdays it works ("12345" is Monday to Friday); each of
    them offers ``hours_per_day`` of capacity. ``cost_per_hour`` is what an hour of its time
    adds to the cost of what it makes.
    """

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    hours_per_day = models.DecimalField(_("hours per day"), max_digits=5, decimal_places=2, default=Decimal(8))
    working_days = models.CharField(_("working days"), max_length=7, default="12345")
    cost_per_hour = models.DecimalField(_("cost per hour"), default=Decimal(0), **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="work_centre_unique_code"),
            models.CheckConstraint(condition=~Q(code=""), name="work_centre_code_not_empty"),
            models.CheckConstraint(condition=Q(hours_per_day__gt=0) & Q(hours_per_day__lte=24), name="work_centre_hours_in_day"),
            models.CheckConstraint(condition=Q(cost_per_hour__gte=0), name="work_centre_cost_not_negative"),
            models.CheckConstraint(condition=Q(working_days__regex=r"^[1-7]{1,7}$"), name="work_centre_days_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def works_on(self, day: dt.date) -> bool:
        return str(day.isoweekday()) in self.working_days

    @property
    def minutes_per_day(self) -> Decimal:
        return self.hours_per_day * 60


class ProductRoute(CompanyOwned):
    """How demand for a product is met: from stock made ahead, made for the order, or bought."""

    class Route(models.TextChoices):
        MAKE_TO_STOCK = "make_to_stock", _("Make to stock")
        MAKE_TO_ORDER = "make_to_order", _("Make to order")
        BUY = "buy", _("Buy")

    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="+")
    route = models.CharField(_("route"), max_length=13, choices=Route.choices, default=Route.MAKE_TO_STOCK)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "product"], name="product_route_unique"),
            models.CheckConstraint(condition=Q(route__in=["make_to_stock", "make_to_order", "buy"]), name="product_route_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.route}"


class Bom(CompanyOwned):
    """One version of a product's bill of materials: what ``output_quantity`` units are made of.

    A product may have several versions; exactly one at most is active, and new production
    orders use it. A version that orders used is never edited: a change is a new version.
    """

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1)
    output_quantity = models.DecimalField(_("output quantity"), default=Decimal(1), **QUANTITY)
    is_active = models.BooleanField(_("active"), default=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        ordering = ["product_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="bom_unique_version"),
            models.UniqueConstraint(fields=["product"], condition=Q(is_active=True), name="bom_one_active_per_product"),
            models.CheckConstraint(condition=Q(output_quantity__gt=0), name="bom_output_positive"),
        ]

    def __str__(self) -> str:
        return f"BoM {self.product_id} v{self.version}"


class BomLine(models.Model):
    """A component: ``quantity`` of it (in ``uom``) per ``output_quantity`` of the BoM, plus scrap.

    ``scrap_percent`` is the share lost in making: 5 % means 1.05 times the quantity is used.
    """

    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines")
    component = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    uom = models.ForeignKey("inventory.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    scrap_percent = models.DecimalField(_("scrap %"), max_digits=6, decimal_places=2, default=Decimal(0))
    sequence = models.PositiveSmallIntegerField(default=10)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["bom_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(condition=Q(scrap_percent__gte=0) & Q(scrap_percent__lt=100), name="bom_line_scrap_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component_id}"


class BomOperation(models.Model):
    """A step of making the product on a work centre: setup once per order, then minutes per unit."""

    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="operations")
    name = models.CharField(_("name"), max_length=100)
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="+")
    minutes_per_unit = models.DecimalField(_("minutes per unit"), default=Decimal(0), **MINUTES)
    setup_minutes = models.DecimalField(_("setup minutes"), default=Decimal(0), **MINUTES)
    sequence = models.PositiveSmallIntegerField(default=10)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["bom_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_unit__gte=0) & Q(setup_minutes__gte=0), name="bom_operation_minutes_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name
