"""Reads the inventory screens and the API need beyond ``selectors``: stock over many products, filtered pages.

Each function checks ``inventory.view`` in the company and reads that company's rows only.
Lists that can grow without bound are keyset-paginated (a cursor, never an offset).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from spona.back.inventory.models import (
    Location,
    Product,
    ProductAttributeValue,
    ProductCategory,
    StockMove,
    StockQuant,
    Transfer,
    Uom,
    ValuationLayer,
    Warehouse,
)
from spona.back.inventory.selectors import MAX_PAGE, StockRow
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor

ZERO = Decimal(0)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


@dataclass(frozen=True)
class Totals:
    """On hand and reserved of one product over the company's internal locations."""

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def on_hand_totals(*, user: User, company: Company, product_ids: Iterable[int] | None = None) -> dict[int, Totals]:
    """Return on hand and reserved per product over all internal locations, in one query.

    Read from the materialised quants (QUALITY S2 keeps them equal to the moves), so the cost
    grows with the number of stock rows, not with the history of moves. Products without stock
    are absent from the answer. ``product_ids`` limits the read to those products.
    """
    require(user, "inventory.view", company)
    qs = StockQuant.objects.filter(company=company, location__kind=Location.Kind.INTERNAL)
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    rows = qs.values_list("product_id").annotate(on_hand=ExactSum("quantity"), reserved=ExactSum("reserved")).order_by()
    return {pk: Totals(on_hand or ZERO, reserved or ZERO) for pk, on_hand, reserved in rows}


def product_stock(*, user: User, company: Company, product_id: int) -> list[StockRow]:
    """Return the stock rows of one product in the internal locations (and transit), by location."""
    require(user, "inventory.view", company)
    quants = (
        StockQuant.objects.filter(company=company, product_id=product_id, location__kind__in=Location.HOLDS_STOCK)
        .filter(~Q(quantity=0) | ~Q(reserved=0))
        .select_related("product__uom", "location", "lot")
        .order_by("location__full_name", "lot__name", "pk")
    )
    return [_row(q) for q in quants]


def _row(q: StockQuant) -> StockRow:
    return StockRow(
        quant_id=q.pk,
        product_id=q.product_id,
        sku=q.product.sku,
        product_name=q.product.name,
        unit=q.product.uom.name,
        location_id=q.location_id,
        location=q.location.full_name,
        lot=q.lot.name if q.lot else "",
        on_hand=q.quantity,
        reserved=q.reserved,
    )


def _stock_queryset(company: Company, location_id: int | None, q: str) -> QuerySet[StockQuant]:
    qs = StockQuant.objects.filter(company=company, location__kind__in=Location.HOLDS_STOCK).filter(
        ~Q(quantity=0) | ~Q(reserved=0)
    )
    if location_id is not None:
        location = Location.objects.filter(pk=location_id, company=company).first()
        if location is None:
            raise NotFound("No such location.")
        qs = qs.filter(location__path__startswith=location.path)
    term = q.strip()
    if term:
        qs = qs.filter(Q(product__sku__icontains=term) | Q(product__name__icontains=term) | Q(product__barcode=term))
    return qs


def stock_page(
    *, user: User, company: Company, location_id: int | None = None, q: str = "", cursor: str | None = None, limit: int = 50
) -> Page:
    """List stock rows by SKU (then row), over one location and its children or over every stock location.

    ``q`` matches SKU, name or the exact barcode. Empty rows are left out. Raises NotFound for a
    location of another company, ValidationFailed for a broken cursor.
    """
    require(user, "inventory.view", company)
    qs = _stock_queryset(company, location_id, q)
    if cursor:
        sku, pk = decode_cursor(cursor)
        qs = qs.filter(Q(product__sku__gt=sku) | Q(product__sku=sku, pk__gt=pk))
    limit = _limit(limit)
    quants = list(qs.select_related("product__uom", "location", "lot").order_by("product__sku", "pk")[: limit + 1])
    rows = [_row(x) for x in quants]
    next_cursor = encode_cursor([rows[limit - 1].sku, rows[limit - 1].quant_id]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def stock_export_rows(*, user: User, company: Company, location_id: int | None = None, q: str = "") -> Iterator[StockRow]:
    """Yield every stock row of the filter by SKU, read in chunks so that any size streams in flat memory."""
    require(user, "inventory.view", company)
    qs = _stock_queryset(company, location_id, q).select_related("product__uom", "location", "lot").order_by("product__sku", "pk")
    for quant in qs.iterator(chunk_size=2000):
        yield _row(quant)


@dataclass(frozen=True)
class MoveFilters:
    """What the move history may be narrowed to; dates are the days the moves were done."""

    product_id: int | None = None
    location_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def move_page(*, user: User, company: Company, filters: MoveFilters, cursor: str | None = None, limit: int = 50) -> Page:
    """List done moves, newest first, of any product or one, in or out of a location and its children.

    Raises ValidationFailed when the dates are reversed or the cursor is broken.
    """
    require(user, "inventory.view", company)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationFailed("The start date is after the end date.", field_errors={"date_to": ["Before the start date."]})
    qs = StockMove.objects.filter(company=company, state=StockMove.State.DONE)
    if filters.product_id is not None:
        qs = qs.filter(product_id=filters.product_id)
    if filters.location_id is not None:
        location = Location.objects.filter(pk=filters.location_id, company=company).first()
        if location is None:
            raise NotFound("No such location.")
        qs = qs.filter(Q(from_location__path__startswith=location.path) | Q(to_location__path__startswith=location.path))
    if filters.date_from:
        qs = qs.filter(done_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(done_at__date__lte=filters.date_to)
    if cursor:
        stamp, pk = decode_cursor(cursor)
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise ValidationFailed("The page cursor is not valid; start from the first page.") from None
        qs = qs.filter(Q(done_at__lt=when) | Q(done_at=when, pk__lt=pk))
    limit = _limit(limit)
    rows = list(
        qs.select_related("product__uom", "from_location", "to_location", "lot", "transfer", "done_by").order_by(
            "-done_at", "-pk"
        )[: limit + 1]
    )
    next_cursor = encode_cursor([rows[limit - 1].done_at.isoformat(), rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def transfer_page(
    *, user: User, company: Company, kind: str = "", state: str = "", q: str = "", cursor: str | None = None, limit: int = 50
) -> Page:
    """List transfers newest first, by kind and state; ``q`` matches the number, source document or partner."""
    require(user, "inventory.view", company)
    qs = Transfer.objects.filter(company=company).select_related("warehouse", "party", "from_location", "to_location")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    term = q.strip()
    if term:
        qs = qs.filter(Q(number__icontains=term) | Q(reference__icontains=term) | Q(party__name__icontains=term))
    if cursor:
        _marker, pk = decode_cursor(cursor)
        qs = qs.filter(pk__lt=pk)
    limit = _limit(limit)
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["id", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def warehouse_list(*, user: User, company: Company) -> list[Warehouse]:
    """Return the company's active warehouses by code, with their main locations."""
    require(user, "inventory.view", company)
    return list(
        Warehouse.objects.filter(company=company, is_active=True)
        .select_related("stock_location", "view_location", "input_location", "output_location")
        .order_by("code")
    )


def warehouse_get(*, user: User, company: Company, warehouse_id: int) -> Warehouse:
    """Return one active warehouse of the company; raises NotFound."""
    require(user, "inventory.view", company)
    warehouse = (
        Warehouse.objects.filter(company=company, pk=warehouse_id, is_active=True)
        .select_related("stock_location", "view_location", "input_location", "output_location")
        .first()
    )
    if warehouse is None:
        raise NotFound("No such warehouse.")
    return warehouse


def location_get(*, user: User, company: Company, location_id: int) -> Location:
    """Return one location of the company with its warehouse; raises NotFound."""
    require(user, "inventory.view", company)
    location = Location.objects.filter(company=company, pk=location_id).select_related("warehouse").first()
    if location is None:
        raise NotFound("No such location.")
    return location


def internal_locations(*, user: User, company: Company) -> list[Location]:
    """Return the active internal locations (where stock is kept and counted) in tree order."""
    require(user, "inventory.view", company)
    return list(
        Location.objects.filter(company=company, is_active=True, kind=Location.Kind.INTERNAL)
        .select_related("warehouse")
        .order_by("full_name", "pk")
    )


def count_sheet(*, user: User, company: Company, location_id: int) -> list[StockRow]:
    """Return what the books say is in exactly this location (not its children), to be counted, by SKU and lot."""
    require(user, "inventory.view", company)
    quants = (
        StockQuant.objects.filter(company=company, location_id=location_id)
        .filter(~Q(quantity=0) | ~Q(reserved=0))
        .select_related("product__uom", "location", "lot")
        .order_by("product__sku", "lot__name", "pk")
    )
    return [_row(q) for q in quants]


def uom_list(*, user: User, company: Company) -> list[Uom]:
    """Return the active units of measure, grouped by category."""
    require(user, "inventory.view", company)
    return list(
        Uom.objects.filter(company=company, is_active=True).select_related("category").order_by("category__name", "factor")
    )


def category_list(*, user: User, company: Company) -> list[ProductCategory]:
    """Return the product categories by name."""
    require(user, "inventory.view", company)
    return list(ProductCategory.objects.filter(company=company).order_by("name", "pk"))


@dataclass(frozen=True)
class CategoryRow:
    """A product category on its list: how many products it holds and whether its stock is valued."""

    category: ProductCategory
    products: int
    valued: bool


def _category_rows(company: Company, categories: list[ProductCategory]) -> list[CategoryRow]:
    """The rows of annotated categories, with one more query for which of them hold valued stock."""
    valued = set(
        ValuationLayer.objects.filter(company=company, product__category__in=[c.pk for c in categories])
        .values_list("product__category_id", flat=True)
        .distinct()
    )
    return [CategoryRow(category=c, products=c.product_count, valued=c.pk in valued) for c in categories]


def _categories(company: Company) -> QuerySet[ProductCategory]:
    return (
        ProductCategory.objects.filter(company=company)
        .select_related("parent")
        .annotate(product_count=Count("products", distinct=True))
    )


def category_rows(*, user: User, company: Company) -> list[CategoryRow]:
    """Return every category with its product count and whether valuation layers exist for it (two queries)."""
    require(user, "inventory.view", company)
    return _category_rows(company, list(_categories(company).order_by("name", "pk")))


def category_page(*, user: User, company: Company, q: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """List categories by name (keyset pagination) as rows with product count and valued flag; ``q`` matches the name.

    Two queries per page. Raises ValidationFailed for a broken cursor.
    """
    require(user, "inventory.view", company)
    qs = _categories(company)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if cursor:
        name, pk = decode_cursor(cursor)
        qs = qs.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    limit = _limit(limit)
    found = list(qs.order_by("name", "pk")[: limit + 1])
    next_cursor = encode_cursor([found[limit - 1].name, found[limit - 1].pk]) if len(found) > limit else None
    return Page(items=_category_rows(company, found[:limit]), next_cursor=next_cursor)


def category_row(*, user: User, company: Company, category_id: int) -> CategoryRow:
    """Return one category as a row (product count, valued); NotFound for another company's."""
    require(user, "inventory.view", company)
    category = _categories(company).filter(pk=category_id).first()
    if category is None:
        raise NotFound("No such category.")
    return _category_rows(company, [category])[0]


def category_get(*, user: User, company: Company, category_id: int) -> tuple[ProductCategory, bool]:
    """Return one category and whether its stock is valued; NotFound for another company's."""
    require(user, "inventory.view", company)
    category = ProductCategory.objects.filter(company=company, pk=category_id).first()
    if category is None:
        raise NotFound("No such category.")
    return category, ValuationLayer.objects.filter(company=company, product__category=category).exists()


def attribute_values(*, user: User, company: Company) -> list[ProductAttributeValue]:
    """Return every value of the company's variant attributes, by attribute and sequence."""
    require(user, "inventory.view", company)
    return list(
        ProductAttributeValue.objects.filter(attribute__company=company)
        .select_related("attribute")
        .order_by("attribute__name", "sequence", "pk")
    )


def product_choices(*, user: User, company: Company, ids: Iterable[int]) -> list[Product]:
    """Return the named products of the company (to show a picker's current choices); unknown ids are left out."""
    require(user, "inventory.view", company)
    wanted = {i for i in ids if i}
    if not wanted:
        return []
    return list(Product.objects.filter(company=company, pk__in=wanted).order_by("name", "pk"))


def party_choices(*, user: User, company: Company, ids: Iterable[int]) -> list[Party]:
    """Return the named parties of the company (a transfer's partner, a supplier) for a picker."""
    require(user, "inventory.view", company)
    wanted = {i for i in ids if i}
    if not wanted:
        return []
    return list(Party.objects.filter(company=company, pk__in=wanted, merged_into__isnull=True).order_by("name", "pk"))
