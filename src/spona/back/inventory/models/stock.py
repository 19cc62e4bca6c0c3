from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spona.back.inventory.models.products import MONEY, QUANTITY
from spona.core.models import CompanyOwned


class Lot(CompanyOwned):
    """A lot or serial number of a tracked product."""

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="lots")
    name = models.CharField(_("lot / serial number"), max_length=100)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["product_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="lot_unique_name"),
            models.CheckConstraint(condition=~Q(name=""), name="lot_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class DoneMoveError(TypeError):
    """A done stock move was about to change: stock history only grows, like the ledger."""


class MoveQuerySet(models.QuerySet["StockMove"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(state=StockMove.State.DONE).exists():
            raise DoneMoveError("Done stock moves are immutable; move the stock back instead.")
        return super().update(**kwargs)

    def delete(self) -> Any:
        if self.filter(state=StockMove.State.DONE).exists():
            raise DoneMoveError("Done stock moves cannot be deleted; move the stock back instead.")
        return super().delete()


class StockMove(CompanyOwned):
    """A quantity of a product going from one location to another: stock's double entry.

    Planned moves are drafts; a done move has changed the stock on hand and can no longer
    change (guarded here, in the queryset and by a database trigger). ``quantity`` is in the
    product's unit. ``unit_cost`` is kept for the stock valuation that comes later.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="moves")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    from_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="moves_out")
    to_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="moves_in")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal(0), **MONEY)
    state = models.CharField(_("state"), max_length=9, choices=State.choices, default=State.DRAFT, editable=False)
    transfer = models.ForeignKey("inventory.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    transfer_line = models.ForeignKey(
        "inventory.TransferLine", on_delete=models.PROTECT, null=True, blank=True, related_name="moves"
    )
    reservation = models.ForeignKey(
        "inventory.Reservation", on_delete=models.PROTECT, null=True, blank=True, related_name="moves", editable=False
    )
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False)

    objects = MoveQuerySet.as_manager()

    personal_data = ("reason",)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="move_locations_differ"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="move_unit_cost_not_negative"),
            models.CheckConstraint(condition=Q(state__in=["draft", "done", "cancelled"]), name="move_state_valid"),
            models.CheckConstraint(condition=~Q(state="done") | Q(done_at__isnull=False), name="move_done_has_date"),
        ]
        indexes = [
            models.Index(fields=["company", "product", "state", "done_at"], name="move_product_history"),
            models.Index(fields=["company", "state", "from_location"], name="move_state_from"),
            models.Index(fields=["company", "state", "to_location"], name="move_state_to"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}: {self.from_location_id} → {self.to_location_id}"

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, values: Any, update_fields: Any, forced_update: Any) -> bool:
        # Becoming done is the last permitted write: a draft row switching to done. The UPDATE
        # itself skips a done row (no read before every save); only when it changed nothing do
        # we look whether the row is done, or missing (then Django inserts, as for any model).
        updated = super()._do_update(base_qs.exclude(state=self.State.DONE), using, pk_val, values, update_fields, forced_update)
        if not updated and base_qs.filter(pk=pk_val, state=self.State.DONE).exists():
            raise DoneMoveError(f"Stock move {pk_val} is done and cannot change.")
        return bool(updated)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_done():
            raise DoneMoveError(f"Stock move {self.pk} is done and cannot be deleted.")
        return super().delete(*args, **kwargs)

    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def is_done(self) -> bool:
        return self.state == self.State.DONE


class StockQuant(CompanyOwned):
    """Stock on hand and reserved of one product, in one location, of one lot (or none).

    A materialised sum, updated in the transaction of every done move and reservation;
    ``spona inventory check`` recomputes it from the moves and the open reservations (QUALITY S2).
    Only locations that hold stock (internal, transit) have quants.
    """

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="quants")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="quants")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="quants")
    quantity = models.DecimalField(_("on hand"), default=Decimal(0), **QUANTITY)
    reserved = models.DecimalField(_("reserved"), default=Decimal(0), **QUANTITY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["product_id", "location_id", "lot_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "location", "lot"], condition=Q(lot__isnull=False), name="quant_unique"),
            models.UniqueConstraint(fields=["product", "location"], condition=Q(lot__isnull=True), name="quant_unique_no_lot"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="quant_reserved_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "location", "product"], name="quant_location_product")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.quantity} ({self.reserved} reserved)"

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved


class Reservation(CompanyOwned):
    """Stock of a product promised to a purpose (an order, a delivery) in a location and its children.

    The promise is split into allocations, one per location and lot the stock was found in;
    quants count the allocations of open reservations as reserved. Consuming moves the stock
    out; releasing gives the promise up.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CONSUMED = "consumed", _("Consumed")
        RELEASED = "released", _("Released")

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="reservations")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    quantity = models.DecimalField(_("quantity still reserved"), **QUANTITY)
    requested = models.DecimalField(_("quantity requested"), **QUANTITY)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN, editable=False)
    reference = models.CharField(_("reference"), max_length=100)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    transfer_line = models.ForeignKey(
        "inventory.TransferLine", on_delete=models.PROTECT, null=True, blank=True, related_name="reservations"
    )
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0) & Q(requested__gt=0), name="reservation_quantity_valid"),
            models.CheckConstraint(condition=Q(state__in=["open", "consumed", "released"]), name="reservation_state_valid"),
            models.CheckConstraint(condition=~Q(state="open") | Q(quantity__gt=0), name="reservation_open_has_quantity"),
        ]
        indexes = [models.Index(fields=["company", "state", "product"], name="reservation_open_product")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} for {self.reference}"

    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class ReservationAllocation(models.Model):
    """The part of a reservation held in one location and lot."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="allocations")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["reservation_id", "location_id", "lot_id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="allocation_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} @ {self.location_id}/{self.lot_id}"
