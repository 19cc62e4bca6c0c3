from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}
PRICE = {"max_digits": 20, "decimal_places": 6}
QUANTITY = {"max_digits": 20, "decimal_places": 4}
STATES = ["draft", "sent", "to_approve", "confirmed", "partial", "received", "billed", "done", "cancelled"]


class PurchaseSettings(CompanyOwned):
    """A company's purchasing policy: orders above ``approval_threshold`` (company currency) need approval."""

    approval_threshold = models.DecimalField(_("approval above"), default=Decimal(10000), **MONEY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name_plural = _("purchase settings")
        constraints = [
            models.UniqueConstraint(fields=["company"], name="purchase_settings_one_per_company"),
            models.CheckConstraint(condition=Q(approval_threshold__gte=0), name="purchase_settings_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Purchasing settings of {self.company_id}"


class PurchaseOrder(CompanyOwned):
    """A request for quotation that becomes a purchase order once confirmed.

    draft (RFQ) → sent → [to approve] → confirmed → partial / received → billed → done, or
    cancelled before anything was received. Amounts are in ``currency``; the untaxed, tax and
    total figures are an estimate, the vendor bill computed by finance is what is owed.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("RFQ")
        SENT = "sent", _("RFQ sent")
        TO_APPROVE = "to_approve", _("To approve")
        CONFIRMED = "confirmed", _("Purchase order")
        PARTIAL = "partial", _("Partially received")
        RECEIVED = "received", _("Received")
        BILLED = "billed", _("Billed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_RFQ = ("draft", "sent", "to_approve")
    RECEIVING = ("confirmed", "partial")

    number = models.CharField(_("number"), max_length=40, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False)
    supplier = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    order_date = models.DateField(_("order date"))
    expected_date = models.DateField(_("expected on"))
    supplier_reference = models.CharField(_("supplier's reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    untaxed = models.DecimalField(_("untaxed"), default=Decimal(0), editable=False, **MONEY)
    tax = models.DecimalField(_("tax"), default=Decimal(0), editable=False, **MONEY)
    total = models.DecimalField(_("total"), default=Decimal(0), editable=False, **MONEY)
    receipt = models.ForeignKey(
        "inventory.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchase_order_unique_number"),
            models.CheckConstraint(condition=Q(state__in=STATES), name="purchase_order_state_valid"),
            models.CheckConstraint(
                condition=Q(untaxed__gte=0) & Q(tax__gte=0) & Q(total__gte=0), name="purchase_order_totals_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state"], name="purchase_order_company_state"),
            models.Index(fields=["company", "supplier"], name="purchase_order_supplier"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_rfq(self) -> bool:
        return self.state in self.OPEN_RFQ

    def can_edit(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.SENT)

    def can_send(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.SENT)

    def can_confirm(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.SENT)

    def can_cancel(self) -> bool:
        return self.state in (*self.OPEN_RFQ, self.State.CONFIRMED)

    def can_bill(self) -> bool:
        return self.state in (self.State.PARTIAL, self.State.RECEIVED, self.State.BILLED)


class PurchaseLine(models.Model):
    """A product bought on an order, in ``uom`` (the product's purchase unit by default).

    ``quantity_received`` and ``quantity_billed`` are in the same unit; the first grows as
    inventory reports receipts, the second follows the vendor bills made from the order.
    """

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveSmallIntegerField(default=10)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    uom = models.ForeignKey("inventory.Uom", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    taxes = models.ManyToManyField("finance.Tax", blank=True, related_name="+")
    expected_date = models.DateField(_("expected on"))
    subtotal = models.DecimalField(_("subtotal"), default=Decimal(0), editable=False, **MONEY)
    quantity_received = models.DecimalField(_("received"), default=Decimal(0), editable=False, **QUANTITY)
    quantity_on_time = models.DecimalField(_("received on time"), default=Decimal(0), editable=False, **QUANTITY)
    quantity_billed = models.DecimalField(_("billed"), default=Decimal(0), editable=False, **QUANTITY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=0) & Q(quantity_billed__gte=0) & Q(quantity_on_time__gte=0),
                name="purchase_line_progress_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def to_receive(self) -> Decimal:
        return max(self.quantity - self.quantity_received, Decimal(0))

    @property
    def to_bill(self) -> Decimal:
        return max(self.quantity_received - self.quantity_billed, Decimal(0))


class PurchaseReceipt(CompanyOwned):
    """One receipt of goods for an order, as inventory reported it, with its punctuality.

    ``delay_days`` counts the days after the order's expected date (0 when on time); supplier
    performance is computed from these rows.
    """

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="receipts")
    transfer = models.ForeignKey("inventory.Transfer", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("receipt"), max_length=40)
    received_on = models.DateField(_("received on"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    on_time = models.BooleanField(_("on time"))
    delay_days = models.PositiveIntegerField(_("days late"), default=0)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "received_on", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "transfer"], name="purchase_receipt_once_per_transfer")]

    def __str__(self) -> str:
        return self.number


class PurchaseBill(CompanyOwned):
    """A vendor bill made from an order through finance; differences of the three-way match are
    posted only after someone of finance confirmed them (``differences_confirmed_by``)."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="bills")
    invoice = models.OneToOneField("finance.Invoice", on_delete=models.PROTECT, related_name="+")
    differences_confirmed_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    price_difference = models.DecimalField(
        _("price difference booked"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "What the bill cost more (or less, when negative) than the goods were received at, in company currency, "
            "booked to purchase price differences when the bill was posted; empty before."
        ),
        **MONEY,
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "id"]

    def __str__(self) -> str:
        return f"Bill {self.invoice_id} of {self.order_id}"
