"""What the purchasing services share: the policy row, taxes, totals and locked reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from spona.back.purchasing.models import PurchaseLine, PurchaseOrder, PurchaseSettings
from spona.core.errors import NotFound
from spona.core.models import Company
from spona.core.money import round_amount

ZERO = Decimal(0)
HUNDRED = Decimal(100)
COST_PLACES = Decimal("0.0001")


def receipt_unit_cost(line: PurchaseLine, stock_quantity: Decimal, rate: Decimal) -> Decimal:
    """The unit cost (company currency, per stock unit) at which the line's goods enter stock."""
    return (line.unit_price * line.quantity * rate / stock_quantity).quantize(COST_PLACES)


def settings_of(company: Company) -> PurchaseSettings:
    """The company's purchasing policy, with the defaults until someone changes them."""
    return PurchaseSettings.objects.filter(company=company).first() or PurchaseSettings(company=company)


def related_model(field: str) -> Any:
    """The model behind one of a purchase line's relations (product, unit, tax).

    Purchasing never imports inventory's or finance's models; it reads the rows its own foreign
    keys point at through these relations.
    """
    return PurchaseLine._meta.get_field(field).related_model


def tax_model() -> Any:
    return related_model("taxes")


def products_by_id(company: Company, ids: Iterable[int]) -> dict[int, Any]:
    qs = related_model("product").objects.filter(company=company, pk__in=set(ids)).select_related("uom", "purchase_uom")
    return {p.pk: p for p in qs}


def units_by_id(company: Company, ids: Iterable[int]) -> dict[int, Any]:
    return {u.pk: u for u in related_model("uom").objects.filter(company=company, pk__in=set(ids))}


def warehouse_of(company: Company, warehouse_id: int) -> Any:
    """The company's active warehouse, or None."""
    model = PurchaseOrder._meta.get_field("warehouse").related_model
    return model.objects.filter(pk=warehouse_id, company=company, is_active=True).first()


def purchase_taxes(company: Company, ids: Iterable[int] | None = None) -> dict[int, Any]:
    """The company's active purchase taxes (those among ``ids`` when given), by id."""
    qs = tax_model().objects.filter(company=company, use="purchase", is_active=True)
    if ids is not None:
        qs = qs.filter(pk__in=set(ids))
    return {t.pk: t for t in qs.order_by("sequence", "pk")}


def default_tax_ids(company: Company) -> list[int]:
    """The tax a line gets when the buyer names none: the company's first purchase tax."""
    first = next(iter(purchase_taxes(company).values()), None)
    return [first.pk] if first is not None else []


def line_amounts(quantity: Decimal, unit_price: Decimal, taxes: Sequence[Any], currency: str) -> tuple[Decimal, Decimal]:
    """Subtotal and tax of one line, rounded half up to the currency per line.

    An estimate for the buyer: percentages on the subtotal and fixed amounts per unit. What is
    owed is the vendor bill, which finance computes under the company's rounding policy.
    """
    subtotal = round_amount(quantity * unit_price, currency)
    tax = ZERO
    for t in taxes:
        if t.kind == "fixed":
            tax += round_amount(t.amount * quantity, currency)
        elif t.price_included:
            tax += round_amount(subtotal - subtotal * HUNDRED / (HUNDRED + t.amount), currency)
        else:
            tax += round_amount(subtotal * t.amount / HUNDRED, currency)
    if any(t.price_included for t in taxes):
        return subtotal - tax, tax
    return subtotal, tax


def locked_order(company: Company, order_id: int) -> PurchaseOrder:
    """The order, locked for the caller's transaction; NotFound for another company's."""
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("supplier", "warehouse")
        .filter(pk=order_id, company=company)
        .first()
    )
    if order is None:
        raise NotFound("No such purchase order.")
    return order
