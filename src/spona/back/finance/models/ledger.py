from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

MONEY = {"max_digits": 20, "decimal_places": 4}


class PostedEntryError(TypeError):
    """A posted entry or line was about to change: the ledger only grows (QUALITY L2)."""


class EntryQuerySet(models.QuerySet["JournalEntry"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(state=JournalEntry.State.POSTED).exists():
            raise PostedEntryError("Posted entries are immutable; reverse them instead.")
        return super().update(**kwargs)

    def delete(self) -> Any:
        if self.filter(state=JournalEntry.State.POSTED).exists():
            raise PostedEntryError("Posted entries cannot be deleted; reverse them instead.")
        return super().delete()


class JournalEntry(CompanyOwned):
    """A double-entry record: draft while it is being prepared, immutable once posted.

    Posting gives it a gapless number in its journal and year and chains its SHA-256 hash onto
    the journal's previous entry. A mistake is corrected by a reversing entry (``reversal_of``).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    journal = models.ForeignKey("finance.Journal", on_delete=models.PROTECT, related_name="entries")
    state = models.CharField(_("state"), max_length=6, choices=State.choices, default=State.DRAFT, editable=False)
    number = models.CharField(_("number"), max_length=40, blank=True, editable=False)
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", editable=False
    )
    # Which business document produced the entry, e.g. "finance.invoice:42".
    source = models.CharField(max_length=80, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Position in the journal's hash chain: 1, 2, 3 … in posting order.
    chain_position = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True, editable=False)
    posted_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False)

    objects = EntryQuerySet.as_manager()

    personal_data = ("memo", "reference")

    class Meta:
        verbose_name_plural = _("journal entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["journal", "number"], condition=~Q(number=""), name="entry_unique_number"),
            models.UniqueConstraint(fields=["journal", "chain_position"], name="entry_unique_chain_position"),
            models.CheckConstraint(
                condition=Q(state="draft") | (~Q(number="") & ~Q(hash="")), name="entry_posted_has_number_and_hash"
            ),
        ]
        indexes = [models.Index(fields=["company", "state", "date"], name="entry_company_state_date")]

    def __str__(self) -> str:
        return self.number or f"Draft entry {self.pk}"

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, values: Any, update_fields: Any, forced_update: Any) -> bool:
        # Posting itself is the one permitted write: a draft row becoming posted. The UPDATE
        # itself skips a posted row (no read before every save); only when it changed nothing do
        # we look whether the row is posted, or missing (then Django inserts, as for any model).
        updated = super()._do_update(
            base_qs.exclude(state=self.State.POSTED), using, pk_val, values, update_fields, forced_update
        )
        if not updated and base_qs.filter(pk=pk_val, state=self.State.POSTED).exists():
            raise PostedEntryError(f"Entry {self.number} is posted and cannot change; reverse it instead.")
        return bool(updated)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_posted():
            raise PostedEntryError(f"Entry {self.number} is posted and cannot be deleted; reverse it instead.")
        return super().delete(*args, **kwargs)

    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    def is_posted(self) -> bool:
        return self.state == self.State.POSTED


class LineQuerySet(models.QuerySet["JournalLine"]):
    def _touches_posted(self) -> bool:
        return self.filter(entry__state=JournalEntry.State.POSTED).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_posted():
            raise PostedEntryError("Lines of posted entries are immutable.")
        return super().update(**kwargs)

    def delete(self) -> Any:
        if self._touches_posted():
            raise PostedEntryError("Lines of posted entries cannot be deleted.")
        return super().delete()


class JournalLine(models.Model):
    """One debit or credit of an entry, in company currency, with the foreign amount when there is one."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    # Denormalised from the entry so that balances and reports aggregate lines without a join.
    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+", editable=False)
    date = models.DateField(editable=False)
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="lines")
    party = models.ForeignKey("core.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("label"), max_length=200, blank=True)
    debit = models.DecimalField(_("debit"), default=Decimal(0), **MONEY)
    credit = models.DecimalField(_("credit"), default=Decimal(0), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount_currency = models.DecimalField(_("amount in currency"), default=Decimal(0), **MONEY)
    tax = models.ForeignKey("finance.Tax", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tax_base = models.DecimalField(_("tax base"), null=True, blank=True, **MONEY)
    cost_centre = models.ForeignKey("finance.AnalyticAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    project = models.ForeignKey("finance.AnalyticAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)

    objects = LineQuerySet.as_manager()

    personal_data = ("label",)

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0) & Q(credit__gte=0), name="line_amounts_not_negative"),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="line_debit_or_credit"),
        ]
        indexes = [
            models.Index(fields=["company", "account", "date"], name="line_company_account_date"),
            models.Index(fields=["company", "party", "account"], name="line_company_party_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} D {self.debit} C {self.credit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if JournalEntry.objects.filter(pk=self.entry_id, state=JournalEntry.State.POSTED).exists():
            raise PostedEntryError("Lines of posted entries are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PostedEntryError("Delete draft lines through the entry's services.")

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


class AccountBalance(models.Model):
    """Posted debit and credit per account and month, kept up to date by posting.

    Reports add these up instead of every line, so they stay fast as the ledger grows.
    Amounts are whole ten-thousandths (``debit_units`` = debit × 10⁴): integer sums are exact on
    SQLite as well as PostgreSQL.
    """

    company = models.ForeignKey("core.Company", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("finance.Account", on_delete=models.CASCADE, related_name="balances")
    period = models.DateField(help_text="First day of the month.")
    debit_units = models.BigIntegerField(default=0)
    credit_units = models.BigIntegerField(default=0)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="account_balance_unique_period")]
        indexes = [models.Index(fields=["company", "period"], name="account_balance_company_period")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period:%Y-%m}"
