from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}


class PaymentTerm(CompanyOwned):
    """When an invoice is due: one or more instalments, each a share of the total after some days."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="payment_term_unique_name")]

    def __str__(self) -> str:
        return self.name


class PaymentTermLine(models.Model):
    """One instalment: ``percent`` of the total (the last line takes the balance) due ``days`` after the invoice date."""

    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="lines")
    percent = models.DecimalField(
        _("percent"), max_digits=7, decimal_places=4, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
    )
    days = models.PositiveSmallIntegerField(_("days"))

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["days", "id"]

    def __str__(self) -> str:
        return f"{self.percent} % after {self.days} days"


class Invoice(CompanyOwned):
    """A customer invoice or credit note, or a vendor bill or refund.

    Draft while prepared; posting computes exact totals, numbers it and posts its journal entry.
    A posted invoice is corrected by a credit note (``reversal_of``), never edited.
    """

    class Kind(models.TextChoices):
        CUSTOMER_INVOICE = "out_invoice", _("Customer invoice")
        CUSTOMER_CREDIT_NOTE = "out_refund", _("Customer credit note")
        VENDOR_BILL = "in_invoice", _("Vendor bill")
        VENDOR_REFUND = "in_refund", _("Vendor refund")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=11, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=9, choices=State.choices, default=State.DRAFT, editable=False)
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    invoice_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"), null=True, blank=True, editable=False)
    payment_term = models.ForeignKey(PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    # Units of company currency per unit of ``currency``, fixed when the invoice is posted.
    exchange_rate = models.DecimalField(max_digits=24, decimal_places=10, default=Decimal(1), editable=False)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    origin = models.CharField(_("source document"), max_length=80, blank=True, editable=False)
    untaxed = models.DecimalField(_("untaxed"), default=Decimal(0), editable=False, **MONEY)
    tax = models.DecimalField(_("tax"), default=Decimal(0), editable=False, **MONEY)
    total = models.DecimalField(_("total"), default=Decimal(0), editable=False, **MONEY)
    entry = models.OneToOneField(
        "finance.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice", editable=False
    )
    reversal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data = ("reference", "notes")

    class Meta:
        ordering = ["-invoice_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "number"], condition=~Q(number=""), name="invoice_unique_number"),
            models.CheckConstraint(condition=Q(state="draft") | ~Q(number=""), name="invoice_posted_has_number"),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "state", "invoice_date"], name="invoice_company_kind_state"),
            models.Index(fields=["company", "party"], name="invoice_company_party"),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.get_kind_display().lower()} {self.pk}"

    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def is_posted(self) -> bool:
        return self.state == self.State.POSTED

    def is_sale(self) -> bool:
        return self.kind in (self.Kind.CUSTOMER_INVOICE, self.Kind.CUSTOMER_CREDIT_NOTE)

    def is_refund(self) -> bool:
        return self.kind in (self.Kind.CUSTOMER_CREDIT_NOTE, self.Kind.VENDOR_REFUND)

    def can_post(self) -> bool:
        return self.is_draft()


class InvoiceLine(models.Model):
    """A line of an invoice: what was sold or bought, at which price, with which taxes."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveSmallIntegerField(default=10)
    product_id = models.BigIntegerField(_("product"), null=True, blank=True, help_text=_("Id of an inventory product, if any."))
    description = models.CharField(_("description"), max_length=300)
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4, default=Decimal(1))
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=6)
    discount = models.DecimalField(
        _("discount %"),
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    taxes = models.ManyToManyField("finance.Tax", blank=True, related_name="+")
    subtotal = models.DecimalField(_("subtotal"), default=Decimal(0), editable=False, **MONEY)
    cost_centre = models.ForeignKey("finance.AnalyticAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    project = models.ForeignKey("finance.AnalyticAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    personal_data = ("description",)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(discount__gte=0) & Q(discount__lte=100), name="invoice_line_discount_range"),
        ]

    def __str__(self) -> str:
        return self.description
