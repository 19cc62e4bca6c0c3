"""Production orders, their components and operations, and the load they put on work centres."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spona.back.production.models.boms import MINUTES, MONEY, QUANTITY, Bom, WorkCentre
from spona.core.models import CompanyOwned


class ProductionOrder(CompanyOwned):
    """An order to make ``quantity`` of a product from its BoM in a warehouse.

    Draft → confirmed (components reserved, operations scheduled) → in progress (a first batch
    produced) → done; or cancelled before anything was produced. ``produced_quantity`` and
    ``scrapped_quantity`` grow batch by batch; ``actual_cost`` is the value of what was
    consumed plus the work centres' time, ``planned_cost`` the same from the BoM at creation.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = ("confirmed", "in_progress")

    number = models.CharField(_("number"), max_length=30)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    bom = models.ForeignKey(Bom, on_delete=models.PROTECT, related_name="orders", verbose_name=_("bill of materials"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    produced_quantity = models.DecimalField(_("produced"), default=Decimal(0), **QUANTITY)
    scrapped_quantity = models.DecimalField(_("scrapped"), default=Decimal(0), **QUANTITY)
    state = models.CharField(_("state"), max_length=11, choices=State.choices, default=State.DRAFT, editable=False)
    start_date = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"), null=True, blank=True, editable=False)
    due_date = models.DateField(_("due"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    planned_cost = models.DecimalField(_("planned cost"), default=Decimal(0), editable=False, **MONEY)
    actual_cost = models.DecimalField(_("actual cost"), default=Decimal(0), editable=False, **MONEY)
    components_short = models.BooleanField(_("components short"), default=False, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="production_order_unique_number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="production_order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(produced_quantity__gte=0) & Q(scrapped_quantity__gte=0), name="production_order_output_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "confirmed", "in_progress", "done", "cancelled"]),
                name="production_order_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | Q(produced_quantity=0), name="production_order_cancelled_produced_nothing"
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="production_order_not_own_parent"),
        ]
        indexes = [models.Index(fields=["company", "state", "start_date"], name="production_order_state_start")]

    def __str__(self) -> str:
        return self.number

    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def can_cancel(self) -> bool:
        return self.state in ("draft", "confirmed") or (self.state == "in_progress" and self.produced_quantity == 0)

    @property
    def remaining_quantity(self) -> Decimal:
        return max(self.quantity - self.produced_quantity - self.scrapped_quantity, Decimal(0))

    @property
    def unit_cost(self) -> Decimal | None:
        """The actual cost of one good unit made so far (None before the first batch)."""
        if not self.produced_quantity:
            return None
        return (self.actual_cost / self.produced_quantity).quantize(Decimal("0.0001"))


class OrderComponent(models.Model):
    """What the order needs of one component, in the component's unit, scrap included.

    ``reservation`` holds the stock promised in the warehouse; ``short_quantity`` is what was
    missing when the order was confirmed (or reserved again). ``exploded_from`` names the
    semi-finished product whose BoM was unfolded into this line because it had no stock.
    """

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="components")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("needed"), **QUANTITY)
    consumed_quantity = models.DecimalField(_("consumed"), default=Decimal(0), **QUANTITY)
    short_quantity = models.DecimalField(_("short"), default=Decimal(0), **QUANTITY)
    planned_unit_cost = models.DecimalField(_("planned unit cost"), default=Decimal(0), **MONEY)
    consumed_value = models.DecimalField(_("consumed value"), default=Decimal(0), **MONEY)
    reservation = models.ForeignKey("inventory.Reservation", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    exploded_from = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_component_quantity_positive"),
            models.CheckConstraint(
                condition=Q(consumed_quantity__gte=0) & Q(short_quantity__gte=0), name="order_component_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def planned_value(self) -> Decimal:
        return self.quantity * self.planned_unit_cost


class OrderOperation(models.Model):
    """One operation of an order on a work centre, with its planned and spent minutes and its dates."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.CASCADE, related_name="operations")
    name = models.CharField(_("name"), max_length=100)
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="+")
    minutes_per_unit = models.DecimalField(default=Decimal(0), **MINUTES)
    setup_minutes = models.DecimalField(default=Decimal(0), **MINUTES)
    planned_minutes = models.DecimalField(_("planned minutes"), default=Decimal(0), **MINUTES)
    spent_minutes = models.DecimalField(_("spent minutes"), default=Decimal(0), **MINUTES)
    cost_per_hour = models.DecimalField(_("cost per hour"), default=Decimal(0), **MONEY)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(default=10)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=0) & Q(spent_minutes__gte=0), name="order_operation_minutes_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def planned_value(self) -> Decimal:
        return self.planned_minutes * self.cost_per_hour / 60


class WorkCentreLoad(models.Model):
    """Minutes of one operation booked on a work centre on one day (the schedule's unit)."""

    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="loads")
    day = models.DateField()
    operation = models.ForeignKey(OrderOperation, on_delete=models.CASCADE, related_name="loads")
    minutes = models.DecimalField(**MINUTES)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["work_centre_id", "day", "id"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="work_centre_load_positive")]
        indexes = [models.Index(fields=["work_centre", "day"], name="work_centre_load_day")]

    def __str__(self) -> str:
        return f"{self.work_centre_id} {self.day}: {self.minutes}"
