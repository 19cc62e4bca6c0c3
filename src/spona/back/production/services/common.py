"""What the production services share: lookups of inventory records by id within the company.

Inventory's records are read through the foreign keys production holds to them (read only,
scoped to the company: an id from another company is "not found"); every change of stock
goes through ``spona.back.inventory.services``.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from spona.back.production.models import Bom, BomLine, ProductionOrder
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party
from spona.core.money import to_decimal

ZERO = Decimal(0)
CENT = Decimal("0.0001")  # costs are kept, like stock moves' unit costs, to four places

Product: Any = Bom._meta.get_field("product").related_model
Uom: Any = BomLine._meta.get_field("uom").related_model
Warehouse: Any = ProductionOrder._meta.get_field("warehouse").related_model


def fmt(quantity: Decimal) -> str:
    """Show a quantity without trailing zeros: 1, 2.5."""
    text = format(quantity.normalize(), "f")
    return "0" if text in ("-0", "") else text


def product_of(company: Company, product_id: int | None, field: str = "product_id") -> Any:
    """The company's stocked product with ``product_id`` and its unit; ValidationFailed otherwise."""
    product = Product.objects.filter(pk=product_id, company=company).select_related("uom").first() if product_id else None
    if product is None:
        raise ValidationFailed("Choose a product of this company.", field_errors={field: ["Unknown product."]})
    if product.kind == "service":
        raise ValidationFailed(f"{product.sku} is a service; services are not made.", field_errors={field: ["Service."]})
    return product


def warehouse_of(company: Company, warehouse_id: int | None) -> Any:
    warehouse = Warehouse.objects.filter(pk=warehouse_id, company=company, is_active=True).first() if warehouse_id else None
    if warehouse is None:
        raise ValidationFailed("Choose a warehouse of this company.", field_errors={"warehouse_id": ["Unknown warehouse."]})
    return warehouse


def party_of(company: Company, party_id: int | None) -> Party | None:
    if party_id is None:
        return None
    party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
    if party is None:
        raise NotFound("No such party.")
    return party


def positive(value: Decimal | int | str, field: str) -> Decimal:
    """A positive exact quantity; floats and zero are refused."""
    try:
        number = to_decimal(value)
    except (TypeError, ArithmeticError, ValueError):
        raise ValidationFailed("Give an exact decimal quantity.", field_errors={field: ["Not a decimal."]}) from None
    if not number.is_finite() or number <= 0:
        raise ValidationFailed("The quantity must be positive.", field_errors={field: ["Must be positive."]})
    return number


def round_up(quantity: Decimal, uom: Any) -> Decimal:
    """Round up to the unit's smallest countable step: a component is never planned short."""
    steps = (quantity / uom.rounding).to_integral_value(rounding=ROUND_CEILING)
    return (steps * uom.rounding).normalize() if steps else uom.rounding


def in_unit(quantity: Decimal, from_uom: Any, to_uom: Any) -> Decimal:
    """Convert between units of one category (unrounded)."""
    if from_uom.category_id != to_uom.category_id:
        raise ValidationFailed(
            f"{from_uom.name} cannot be converted to {to_uom.name}: they measure different things.",
            field_errors={"uom_id": [f"Use a unit of the same kind as {to_uom.name}."]},
        )
    return quantity if from_uom.pk == to_uom.pk else quantity * from_uom.factor / to_uom.factor
