from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.back.inventory.models.products import QUANTITY
from spona.core.models import CompanyOwned


class Transfer(CompanyOwned):
    """A stock document (picking): a receipt, a delivery or an internal transfer, with lines.

    draft → confirmed (planned moves exist, stock is reserved where it leaves an internal
    location) → done (the moves are done); or cancelled. Validating less than planned leaves
    the rest on a backorder, a new confirmed transfer linked by ``backorder_of``.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DELIVERY = "delivery", _("Delivery")
        INTERNAL = "internal", _("Internal transfer")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    PREFIX = {"receipt": "IN", "delivery": "OUT", "internal": "INT"}

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=9, choices=State.choices, default=State.DRAFT, editable=False)
    number = models.CharField(_("number"), max_length=40, editable=False)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="transfers")
    from_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField(_("source document"), max_length=100, blank=True)
    scheduled_date = models.DateField(_("scheduled for"), null=True, blank=True)
    backorder_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="backorders", editable=False
    )
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="transfer_unique_number"),
            models.CheckConstraint(condition=Q(kind__in=["receipt", "delivery", "internal"]), name="transfer_kind_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "confirmed", "done", "cancelled"]), name="transfer_state_valid"
            ),
            models.CheckConstraint(condition=~Q(from_location=models.F("to_location")), name="transfer_locations_differ"),
        ]
        indexes = [models.Index(fields=["company", "state", "kind"], name="transfer_company_state_kind")]

    def __str__(self) -> str:
        return self.number

    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def can_confirm(self) -> bool:
        return self.state == self.State.DRAFT

    def can_validate(self) -> bool:
        return self.state == self.State.CONFIRMED

    def can_cancel(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.CONFIRMED)


class TransferLine(models.Model):
    """A product and quantity (in the product's unit) that a transfer moves."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    quantity_done = models.DecimalField(_("quantity done"), default=0, editable=False, **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), default=0, max_digits=20, decimal_places=4)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["transfer_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_done__gte=0) & Q(quantity_done__lte=models.F("quantity")),
                name="transfer_line_done_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"
