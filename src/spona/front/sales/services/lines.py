"""Lines of quotations and orders: validated, priced from the price lists, taxed like finance taxes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from spona.back.finance.selectors.sales import SalesTaxes, TotalsLine, document_totals, sales_taxes
from spona.back.inventory.selectors import products_for_sale
from spona.core.errors import ValidationFailed
from spona.core.models import Company
from spona.core.money import to_decimal
from spona.front.sales.models import CustomerTerms, SalesSettings
from spona.front.sales.services.pricing import UNREAD, Unread, prices_resolve

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LineIn:
    """A line as a caller gives it; no price: the price list's; no taxes: the company's default sales tax."""

    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None
    discount: Decimal = ZERO
    tax_ids: Sequence[int] | None = None
    description: str = ""
    is_optional: bool = False


@dataclass
class PricedLine:
    """A checked line with its price, taxes and subtotal (computed by finance's rules)."""

    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_ids: list[int]
    is_optional: bool
    is_stocked: bool
    subtotal: Decimal = ZERO


@dataclass
class Priced:
    lines: list[PricedLine]
    untaxed: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    discounts_above: list[int] = field(default_factory=list)


def price_lines(
    *,
    company: Company,
    settings: SalesSettings,
    party_id: int,
    currency: str,
    on: dt.date,
    lines: Sequence[LineIn],
    taxes: SalesTaxes | None = None,
    terms: CustomerTerms | Unread | None = UNREAD,
) -> list[PricedLine]:
    """Check and price lines; raises ValidationFailed naming every bad line.

    ``taxes`` (the company's sales taxes) and ``terms`` (the customer's) are read here unless the
    caller has read them already.
    """
    if not lines:
        raise ValidationFailed("Add at least one line.", field_errors={"lines": ["Add a line."]})
    products = products_for_sale(company=company, ids=[x.product_id for x in lines])
    allowed = {t.pk for t in (sales_taxes(company=company) if taxes is None else taxes)}
    wanted = [(x.product_id, to_decimal(x.quantity)) for x in lines if x.unit_price is None and x.product_id in products]
    prices = prices_resolve(
        company=company,
        party_id=party_id,
        currency=currency,
        on=on,
        wanted=wanted,
        catalogue={pk: p.sale_price for pk, p in products.items()},
        terms=terms,
    )
    errors: dict[str, list[str]] = {}
    priced: list[PricedLine] = []
    for i, line in enumerate(lines):
        problems = []
        product = products.get(line.product_id)
        quantity, discount = to_decimal(line.quantity), to_decimal(line.discount)
        if product is None:
            problems.append("Choose an active product of this company.")
        if not ZERO < quantity < Decimal("1e12"):
            problems.append("The quantity must be positive.")
        if not ZERO <= discount <= HUNDRED:
            problems.append("The discount is a percentage between 0 and 100.")
        if line.unit_price is not None and not ZERO <= to_decimal(line.unit_price) < Decimal("1e12"):
            problems.append("The unit price cannot be negative.")
        tax_ids = (
            list(dict.fromkeys(line.tax_ids))
            if line.tax_ids is not None
            else ([settings.default_tax_id] if settings.default_tax_id else [])
        )
        if set(tax_ids) - allowed:
            problems.append("Choose sales taxes of this company.")
        if problems or product is None:
            errors[f"lines[{i}]"] = problems
            continue
        price = to_decimal(line.unit_price) if line.unit_price is not None else prices[(product.pk, quantity)].price
        priced.append(
            PricedLine(
                product_id=product.pk,
                description=(line.description.strip() or product.name)[:300],
                quantity=quantity,
                unit_price=price,
                discount=discount,
                tax_ids=tax_ids,
                is_optional=line.is_optional,
                is_stocked=product.is_stocked(),
            )
        )
    if errors:
        raise ValidationFailed("Some lines are not valid.", field_errors=errors)
    return priced


def totals(
    *,
    company: Company,
    currency: str,
    lines: Sequence[PricedLine],
    counted: Sequence[bool],
    taxes: SalesTaxes | None = None,
) -> Priced:
    """Subtotals of every line and totals of the counted ones (optional lines not chosen do not count);
    ``taxes``, the company's sales taxes, are read here unless the caller has them."""
    if taxes is None:
        taxes = sales_taxes(company=company)
    each = document_totals(
        company=company,
        currency=currency,
        lines=[TotalsLine(x.quantity, x.unit_price, x.discount, x.tax_ids) for x in lines],
        taxes=taxes,
    )
    for line, result in zip(lines, each.lines, strict=True):
        line.subtotal = result.subtotal
    if all(counted):
        return Priced(lines=list(lines), untaxed=each.untaxed, tax=each.tax, total=each.total)
    kept = [x for x, c in zip(lines, counted, strict=True) if c]
    doc = document_totals(
        company=company,
        currency=currency,
        lines=[TotalsLine(x.quantity, x.unit_price, x.discount, x.tax_ids) for x in kept],
        taxes=taxes,
    )
    return Priced(lines=list(lines), untaxed=doc.untaxed, tax=doc.tax, total=doc.total)
