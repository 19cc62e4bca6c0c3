from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned

QUANTITY = {"max_digits": 20, "decimal_places": 4}


class ReorderRule(CompanyOwned):
    """Keep a product's forecast stock in a warehouse between ``min_quantity`` and ``max_quantity``.

    When on hand + incoming − outgoing falls below the minimum, replenishment proposes to buy up
    to the maximum, rounded up to ``multiple`` (a supplier's pack size). ``alerted`` remembers that
    ``purchasing.below_reorder_point`` went out, so the daily check speaks once until stock recovers.
    """

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    min_quantity = models.DecimalField(_("minimum"), **QUANTITY)
    max_quantity = models.DecimalField(_("maximum"), **QUANTITY)
    multiple = models.DecimalField(_("order in multiples of"), default=Decimal(1), **QUANTITY)
    is_active = models.BooleanField(_("active"), default=True)
    alerted = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="reorder_rule_unique"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="reorder_rule_min_not_negative"),
            models.CheckConstraint(condition=Q(max_quantity__gte=models.F("min_quantity")), name="reorder_rule_max_above_min"),
            models.CheckConstraint(condition=Q(multiple__gt=0), name="reorder_rule_multiple_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}"
