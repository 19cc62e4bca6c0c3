"""Opening valuation: give a value to stock that was on hand before its valuation was switched on.

Stock moved before valuation existed (or while a product was a consumable) has quantities but
no valuation layers, so the stock valuation misses it and ``spona inventory check`` reports
"layers hold fewer units than are on hand". ``valuation_open`` closes that gap once: for each
goods product, the units on hand that no layer holds get one opening layer (no move behind it)
at the product's current cost, and one entry in the stock journal puts their total value on
the stock account against retained earnings, because the stock was acquired in earlier
periods, not in this one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from spona.back.finance.selectors import account_for_role
from spona.back.finance.services import LineIn, entry_create, journal_ensure
from spona.back.inventory.models import Location, Product, StockQuant, ValuationLayer
from spona.back.inventory.services.stock import lock_products
from spona.back.inventory.services.valuation import JOURNAL_CODE, JOURNAL_NAME, ZERO, balances, is_fifo
from spona.core import audit
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.money import quantum
from spona.core.permissions import require

COUNTERPART = "retained_earnings"


@dataclass(frozen=True)
class OpeningValuation:
    """What ``valuation_open`` valued: how many products, their total value and the entry posted (None: no ledger)."""

    products: int
    value: Decimal
    entry_id: int | None


def _largest_locations(company: Company, product_ids: list[int]) -> dict[int, int]:
    """The stock-holding location with the most units of each product (the opening layer's place)."""
    found: dict[int, int] = {}
    quants = (
        StockQuant.objects.filter(company=company, product_id__in=product_ids, location__kind__in=Location.HOLDS_STOCK)
        .values("product_id", "location_id")
        .annotate(q=Sum("quantity"))
        .order_by("product_id", "-q", "location_id")
    )
    for row in quants:
        found.setdefault(row["product_id"], row["location_id"])
    return found


@transaction.atomic
def valuation_open(*, actor: User | None, company: Company, date: dt.date | None = None) -> OpeningValuation:
    """Value the stock on hand that has no valuation layers yet, and post one opening entry.

    Each product's missing units are valued at its current cost (the average of its valued
    stock, else the cost it was last valued at, else its cost price); a FIFO product's opening
    layer is its oldest open receipt. Dr stock / Cr retained earnings, dated ``date`` (today),
    in the stock journal. Running it again values nothing: the gaps are closed. Needs
    inventory.manage; raises ValidationFailed when nothing is unvalued.
    """
    # Imported here: the selectors module imports the services package (for ``Balance``).
    from spona.back.inventory.selectors import unvalued_stock

    if actor is not None:
        require(actor, "inventory.manage", company)
    gaps = unvalued_stock(company)
    if not gaps:
        raise ValidationFailed("All stock on hand is valued already; there is nothing to open.", code="nothing_to_open")
    lock_products(company, gaps)
    # Read again under the locks: a move done meanwhile may have changed the gap.
    gaps = {pk: gap for pk, gap in unvalued_stock(company).items() if pk in gaps}
    products = {p.pk: p for p in Product.objects.filter(pk__in=gaps).select_related("category")}
    day = date or timezone.localdate()
    cent = quantum(company.base_currency)
    running = balances(company, sorted(gaps))
    where = _largest_locations(company, sorted(gaps))
    layers = []
    for pk, gap in gaps.items():
        product, balance = products[pk], running[pk]
        unit = balance.unit_cost(product)
        value = (gap * unit).quantize(cent)
        fifo = is_fifo(product)
        layers.append(
            ValuationLayer(
                company=company,
                product=product,
                move=None,
                location_id=where[pk],
                date=day,
                quantity=gap,
                unit_cost=unit,
                value=value,
                balance_quantity=balance.quantity + gap,
                balance_value=balance.value + value,
                remaining_quantity=gap if fifo else ZERO,
                remaining_value=value if fifo else ZERO,
            )
        )
    total = sum((layer.value for layer in layers), ZERO)
    entry_id = _post(company, total, day) if total else None
    for layer in layers:
        layer.entry_id = entry_id
    ValuationLayer.objects.bulk_create(layers)
    audit.record(
        actor=actor,
        target=company,
        action="stock_valuation_opened",
        changes={"products": [None, len(layers)], "value": [None, str(total)]},
    )
    return OpeningValuation(products=len(layers), value=total, entry_id=entry_id)


def _post(company: Company, total: Decimal, day: dt.date) -> int | None:
    """Dr stock / Cr retained earnings for the opening value; None when the ledger is not set up."""
    stock = account_for_role(company=company, role="stock")
    equity = account_for_role(company=company, role=COUNTERPART)
    journal_id = journal_ensure(company=company, code=JOURNAL_CODE, name=JOURNAL_NAME)
    if stock is None or equity is None or journal_id is None:
        return None
    label = "Opening stock valuation"
    entry = entry_create(
        actor=None,
        company=company,
        journal_id=journal_id,
        date=day,
        lines=[LineIn(account_id=stock.pk, debit=total, label=label), LineIn(account_id=equity.pk, credit=total, label=label)],
        reference="Opening stock",
        memo="Stock on hand before its valuation was switched on",
        source=f"inventory.opening:{company.pk}:{day.isoformat()}",
        post=True,
    )
    return entry.pk
