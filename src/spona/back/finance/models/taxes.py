from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class TaxGroup(CompanyOwned):
    """A reporting group of taxes (e.g. "VAT 20 %") for the tax report."""

    name = models.CharField(_("name"), max_length=100)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="tax_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Tax(CompanyOwned):
    """A sales or purchase tax: a percentage or a fixed amount per unit, included in the price or added to it.

    ``affects_base`` makes a tax part of the base of the taxes computed after it (compound
    taxes); ``sequence`` orders them.
    """

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage of the price")
        FIXED = "fixed", _("Fixed amount per unit")

    class Use(models.TextChoices):
        SALES = "sales", _("Sales")
        PURCHASE = "purchase", _("Purchases")

    name = models.CharField(_("name"), max_length=100)
    use = models.CharField(_("used on"), max_length=8, choices=Use.choices)
    kind = models.CharField(_("kind"), max_length=7, choices=Kind.choices, default=Kind.PERCENT)
    amount = models.DecimalField(_("rate or amount"), max_digits=12, decimal_places=4)
    price_included = models.BooleanField(_("included in price"), default=False)
    affects_base = models.BooleanField(_("affects base of later taxes"), default=False)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    group = models.ForeignKey(TaxGroup, on_delete=models.PROTECT, related_name="taxes")
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name_plural = _("taxes")
        constraints = [
            models.UniqueConstraint(fields=["company", "name", "use"], name="tax_unique_name"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="tax_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
