from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}


class BankStatement(CompanyOwned):
    """One imported statement of a bank journal, with the balances the bank reported."""

    journal = models.ForeignKey("finance.Journal", on_delete=models.PROTECT, related_name="statements")
    name = models.CharField(_("name"), max_length=100)
    date = models.DateField(_("date"))
    balance_start = models.DecimalField(_("opening balance"), null=True, blank=True, **MONEY)
    balance_end = models.DecimalField(_("closing balance"), null=True, blank=True, **MONEY)
    source_format = models.CharField(_("format"), max_length=10)
    # SHA-256 of the imported file: importing the same file twice is refused.
    file_hash = models.CharField(max_length=64, editable=False)
    imported_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["journal", "file_hash"], name="bank_statement_unique_file")]

    def __str__(self) -> str:
        return self.name


class BankStatementLine(models.Model):
    """One transaction on a statement; reconciled once it is matched to a posted entry."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    label = models.CharField(_("label"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    partner_name = models.CharField(_("partner"), max_length=200, blank=True)
    account_number = models.CharField(_("partner account"), max_length=50, blank=True)
    transaction_id = models.CharField(_("bank's transaction id"), max_length=100, blank=True)
    entry = models.ForeignKey(
        "finance.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    personal_data = ("label", "reference", "partner_name", "account_number")

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=Decimal(0)), name="bank_line_amount_not_zero")]
        indexes = [models.Index(fields=["statement", "entry"], name="bank_line_statement_entry")]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.label}"

    def is_reconciled(self) -> bool:
        return self.entry_id is not None
