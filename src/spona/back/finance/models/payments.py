from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}


class Payment(CompanyOwned):
    """Money received from a customer or paid to a supplier, through a bank or cash journal."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Received")
        OUTBOUND = "outbound", _("Paid")

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey("finance.Journal", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(max_digits=24, decimal_places=10, default=Decimal(1), editable=False)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    entry = models.OneToOneField("finance.JournalEntry", on_delete=models.PROTECT, related_name="payment", editable=False)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data = ("reference",)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.amount} {self.currency}"


class Reconciliation(CompanyOwned):
    """A match of part of a debit line against part of a credit line on a reconcilable account.

    A line's open (residual) amount is its amount less its matches, so lines themselves stay
    immutable while invoices get paid.
    """

    debit_line = models.ForeignKey("finance.JournalLine", on_delete=models.PROTECT, related_name="matched_credits")
    credit_line = models.ForeignKey("finance.JournalLine", on_delete=models.PROTECT, related_name="matched_debits")
    amount = models.DecimalField(_("amount"), **MONEY)
    amount_currency = models.DecimalField(_("amount in currency"), default=Decimal(0), **MONEY)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="reconciliation_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.debit_line_id} ↔ {self.credit_line_id}: {self.amount}"
