"""Quotations (with revisions), sales orders, the documents they led to, and returns."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned
from spona.front.sales.models.pricing import MONEY, QUANTITY


class Approval(models.TextChoices):
    """Where a document stands with a manager's approval (discount above the limit, credit limit)."""

    NONE = "", _("Not needed")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Quotation(CompanyOwned):
    """An offer to a customer: draft → sent → accepted (an order is made) or declined; or cancelled.

    Editing a sent quotation makes a new revision; the earlier ones stay in ``revisions``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=40, editable=False)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1, editable=False)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    opportunity = models.ForeignKey("crm.Opportunity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    price_list = models.ForeignKey("sales.PriceList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payment_term = models.ForeignKey("finance.PaymentTerm", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    valid_until = models.DateField(_("valid until"))
    terms = models.TextField(_("terms and conditions"), blank=True)
    untaxed = models.DecimalField(_("untaxed"), default=Decimal(0), editable=False, **MONEY)
    tax = models.DecimalField(_("tax"), default=Decimal(0), editable=False, **MONEY)
    total = models.DecimalField(_("total"), default=Decimal(0), editable=False, **MONEY)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.DRAFT, editable=False)
    approval = models.CharField(_("approval"), max_length=8, choices=Approval.choices, blank=True, default="", editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_quotation_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sent", "accepted", "declined", "cancelled"]), name="sales_quotation_status"
            ),
        ]
        indexes = [models.Index(fields=["company", "party", "status"], name="sales_quotation_party_idx")]

    def __str__(self) -> str:
        return self.number if self.revision == 1 else f"{self.number}-{self.revision}"

    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SENT)

    def can_send(self) -> bool:
        return self.is_open() and self.approval not in (Approval.PENDING, Approval.REJECTED)

    def can_accept(self) -> bool:
        return self.status == self.Status.SENT and self.approval not in (Approval.PENDING, Approval.REJECTED)


class QuotationLine(models.Model):
    """A product offered; an optional line is in the total only when the customer chooses it."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=10)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal(0))
    tax_ids = models.JSONField(default=list)
    is_optional = models.BooleanField(_("optional"), default=False)
    is_chosen = models.BooleanField(_("chosen"), default=True)
    subtotal = models.DecimalField(_("subtotal"), default=Decimal(0), **MONEY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["quotation_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_qline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sales_qline_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0, discount__lte=100), name="sales_qline_discount_range"),
        ]

    def __str__(self) -> str:
        return self.description

    def counts(self) -> bool:
        return not self.is_optional or self.is_chosen


class QuotationRevision(models.Model):
    """What a quotation said before it was revised: its lines and totals as sent to the customer."""

    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField()
    content = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["quotation_id", "-revision"]
        constraints = [models.UniqueConstraint(fields=["quotation", "revision"], name="sales_revision_unique")]

    def __str__(self) -> str:
        return f"{self.quotation_id} revision {self.revision}"


class Order(CompanyOwned):
    """A sales order: draft → confirmed (delivery planned, stock reserved) → done; or cancelled.

    ``invoice_policy`` says what may be invoiced: everything ordered (``order``) or what has
    been delivered (``delivery``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class InvoicePolicy(models.TextChoices):
        ORDER = "order", _("On order")
        DELIVERY = "delivery", _("On delivery")

    number = models.CharField(_("number"), max_length=40, editable=False)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    quotation = models.ForeignKey(Quotation, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    currency = models.CharField(_("currency"), max_length=3)
    payment_term = models.ForeignKey("finance.PaymentTerm", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invoice_policy = models.CharField(_("invoicing"), max_length=8, choices=InvoicePolicy.choices, default=InvoicePolicy.ORDER)
    order_date = models.DateField(_("order date"))
    untaxed = models.DecimalField(_("untaxed"), default=Decimal(0), editable=False, **MONEY)
    tax = models.DecimalField(_("tax"), default=Decimal(0), editable=False, **MONEY)
    total = models.DecimalField(_("total"), default=Decimal(0), editable=False, **MONEY)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.DRAFT, editable=False)
    approval = models.CharField(_("approval"), max_length=8, choices=Approval.choices, blank=True, default="", editable=False)
    hold_reason = models.CharField(_("on hold because"), max_length=300, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_order_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "confirmed", "done", "cancelled"]), name="sales_order_status"
            ),
        ]
        indexes = [models.Index(fields=["company", "party", "status"], name="sales_order_party_idx")]

    def __str__(self) -> str:
        return self.number

    def can_confirm(self) -> bool:
        return self.status == self.Status.DRAFT and self.approval not in (Approval.PENDING, Approval.REJECTED)

    def is_confirmed(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.DONE)


class OrderLine(models.Model):
    """A product ordered, with how much of it has been delivered, invoiced and returned."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=10)
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal(0))
    tax_ids = models.JSONField(default=list)
    subtotal = models.DecimalField(_("subtotal"), default=Decimal(0), **MONEY)
    qty_delivered = models.DecimalField(_("delivered"), default=Decimal(0), **QUANTITY)
    qty_invoiced = models.DecimalField(_("invoiced"), default=Decimal(0), **QUANTITY)
    qty_returned = models.DecimalField(_("returned"), default=Decimal(0), **QUANTITY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_oline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sales_oline_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0, discount__lte=100), name="sales_oline_discount_range"),
            models.CheckConstraint(
                condition=Q(qty_delivered__gte=0, qty_delivered__lte=F("quantity")), name="sales_oline_delivered_range"
            ),
            models.CheckConstraint(condition=Q(qty_invoiced__gte=0), name="sales_oline_invoiced_not_negative"),
            models.CheckConstraint(
                condition=Q(qty_returned__gte=0, qty_returned__lte=F("qty_delivered")), name="sales_oline_returned_range"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class OrderDocument(models.Model):
    """A document an order led to: a delivery or return transfer, an invoice or credit note."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        RETURN = "return", _("Return receipt")
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=11, choices=Kind.choices)
    transfer = models.ForeignKey("inventory.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    invoice = models.ForeignKey("finance.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["delivery", "return"], transfer__isnull=False, invoice__isnull=True)
                | Q(kind__in=["invoice", "credit_note"], invoice__isnull=False, transfer__isnull=True),
                name="sales_document_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of order {self.order_id}"


class Return(CompanyOwned):
    """A customer's return (RMA): goods come back through a receipt and are credited."""

    number = models.CharField(_("number"), max_length=40, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(_("reason"), max_length=300)
    transfer = models.ForeignKey("inventory.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    credit_note = models.ForeignKey("finance.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="sales_return_unique_number")]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    """How much of one order line comes back."""

    rma = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_rline_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.order_line_id}"
