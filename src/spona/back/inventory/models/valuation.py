from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spona.back.inventory.models.products import MONEY, QUANTITY
from spona.core.models import CompanyOwned


class ValuationLayer(CompanyOwned):
    """The value a done move brought into (positive) or took out of (negative) the company's stock.

    One layer per done move that crosses the border of the company's own stock (internal and
    transit locations); moves inside it change no value. ``value`` is at the currency's
    precision and is what the stock journal posted, so Σ value per product is the stock's value
    and equals the ledger's stock account. ``balance_quantity``/``balance_value`` are the
    product's totals after this layer (the next move reads the running average from the last
    layer). For FIFO products an incoming layer keeps what is left of it
    (``remaining_quantity``/``remaining_value``); outgoing moves consume the oldest first.
    An opening layer has no move: it values stock that was on hand before valuation began.
    Layers are history: written once, in the move's transaction, and only the FIFO remainder
    changes afterwards.
    """

    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="valuation_layers")
    # Empty for an opening layer: stock on hand before valuation was switched on (services/opening.py).
    move = models.OneToOneField("inventory.StockMove", on_delete=models.PROTECT, null=True, blank=True, related_name="valuation")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **MONEY)
    value = models.DecimalField(_("value"), **MONEY)
    balance_quantity = models.DecimalField(**QUANTITY)
    balance_value = models.DecimalField(**MONEY)
    remaining_quantity = models.DecimalField(default=0, **QUANTITY)
    remaining_value = models.DecimalField(default=0, **MONEY)
    entry = models.ForeignKey("finance.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="valuation_quantity_not_zero"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="valuation_unit_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(remaining_quantity__gte=0) & Q(remaining_value__gte=0), name="valuation_remaining_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining_quantity__lte=models.F("quantity")) | Q(remaining_quantity=0),
                name="valuation_remaining_within_quantity",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "id"], name="valuation_product_id"),
            models.Index(fields=["company", "date"], name="valuation_company_date"),
            models.Index(fields=["product", "id"], condition=Q(remaining_quantity__gt=0), name="valuation_fifo_open"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} = {self.value}"

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Valuation layers are history and cannot be deleted.")
