"""Queries of production, always scoped to the caller's company and permission.

Other apps import this module (``from spona.back.production import selectors``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from spona.back.production.models import Bom, OrderComponent, OrderOperation, ProductionOrder, ProductRoute, WorkCentre
from spona.back.production.models.orders import WorkCentreLoad
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor

ZERO = Decimal(0)
MAX_PAGE = 200


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> Page:
    """Keyset pagination on descending id (newest first); the cursor carries the last id."""
    if cursor:
        try:
            _, pk = decode_cursor(cursor)
            pk = int(pk)
        except (ValueError, TypeError):
            raise ValidationFailed("The page cursor is not valid; start from the first page.") from None
        qs = qs.filter(pk__lt=pk)
    limit = max(1, min(limit, MAX_PAGE))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


# Work centres ------------------------------------------------------------------------------------


def work_centre_list(*, user: User, company: Company, active: bool | None = None) -> list[WorkCentre]:
    """The company's work centres by code."""
    require(user, "production.view", company)
    qs = WorkCentre.objects.filter(company=company)
    if active is not None:
        qs = qs.filter(is_active=active)
    return list(qs.order_by("code"))


def work_centre_get(*, user: User, company: Company, work_centre_id: int) -> WorkCentre:
    require(user, "production.view", company)
    centre = WorkCentre.objects.filter(company=company, pk=work_centre_id).first()
    if centre is None:
        raise NotFound("No such work centre.")
    return centre


@dataclass(frozen=True)
class LoadDay:
    day: dt.date
    capacity: Decimal  # minutes
    booked: Decimal
    orders: list[tuple[str, int, str, Decimal]]  # order number, order id, operation, minutes

    @property
    def percent(self) -> int:
        return int(self.booked * 100 / self.capacity) if self.capacity else 0

    @property
    def free(self) -> Decimal:
        return max(self.capacity - self.booked, ZERO)


def work_centre_load(*, user: User, company: Company, work_centre_id: int, start: dt.date, days: int = 14) -> list[LoadDay]:
    """The booked and free minutes of a work centre per day from ``start``, with the orders behind them."""
    centre = work_centre_get(user=user, company=company, work_centre_id=work_centre_id)
    days = max(1, min(days, 92))
    end = start + dt.timedelta(days=days - 1)
    per_day: dict[dt.date, list[tuple[str, int, str, Decimal]]] = defaultdict(list)
    loads = (
        WorkCentreLoad.objects.filter(work_centre=centre, day__range=(start, end))
        .values_list("day", "operation__order__number", "operation__order_id", "operation__name")
        .annotate(total=Sum("minutes"))
        .order_by("day", "operation__order_id")
    )
    for day, number, order_id, name, total in loads:
        per_day[day].append((number, order_id, name, total))
    result = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        capacity = centre.minutes_per_day if centre.works_on(day) else ZERO
        rows = per_day.get(day, [])
        result.append(LoadDay(day, capacity, sum((r[3] for r in rows), ZERO), rows))
    return result


# Routes and BoMs ---------------------------------------------------------------------------------


def route_map(*, user: User, company: Company, product_ids: list[int]) -> dict[int, str]:
    """Product id → route (make to stock when not set)."""
    require(user, "production.view", company)
    found = dict(ProductRoute.objects.filter(company=company, product_id__in=product_ids).values_list("product_id", "route"))
    return {pk: found.get(pk, ProductRoute.Route.MAKE_TO_STOCK) for pk in product_ids}


def bom_list(
    *, user: User, company: Company, q: str = "", active: bool | None = None, cursor: str | None = None, limit: int = 50
) -> Page:
    """BoMs newest first, by product name or SKU and by active flag."""
    require(user, "production.view", company)
    qs = Bom.objects.filter(company=company).select_related("product")
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(product__name__icontains=term) | Q(product__sku__icontains=term))
    if active is not None:
        qs = qs.filter(is_active=active)
    return _page(qs, cursor, limit)


def bom_get(*, user: User, company: Company, bom_id: int) -> Bom:
    """One BoM of the company with its lines and operations."""
    require(user, "production.view", company)
    bom = (
        Bom.objects.filter(company=company, pk=bom_id)
        .select_related("product__uom")
        .prefetch_related("lines__component__uom", "lines__uom", "operations__work_centre")
        .first()
    )
    if bom is None:
        raise NotFound("No such bill of materials.")
    return bom


def bom_versions(*, user: User, company: Company, product_id: int) -> list[Bom]:
    require(user, "production.view", company)
    return list(Bom.objects.filter(company=company, product_id=product_id).order_by("-version"))


# Orders ------------------------------------------------------------------------------------------


def order_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    state: str = "",
    product_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Production orders newest first, by number, reference, product, and state."""
    require(user, "production.view", company)
    qs = ProductionOrder.objects.filter(company=company).select_related("product__uom", "warehouse", "company")
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(reference__icontains=term)
            | Q(product__name__icontains=term)
            | Q(product__sku__icontains=term)
        )
    if state:
        qs = qs.filter(state=state)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return _page(qs, cursor, limit)


def order_get(*, user: User, company: Company, order_id: int) -> ProductionOrder:
    """One production order with its product, warehouse, party and parent."""
    require(user, "production.view", company)
    order = (
        ProductionOrder.objects.filter(company=company, pk=order_id)
        .select_related("product__uom", "warehouse", "party", "parent", "bom", "company")
        .first()
    )
    if order is None:
        raise NotFound("No such production order.")
    return order


def order_components(order: ProductionOrder) -> list[OrderComponent]:
    return list(order.components.select_related("product__uom", "exploded_from", "reservation").order_by("pk"))


def order_operations(order: ProductionOrder) -> list[OrderOperation]:
    return list(order.operations.select_related("work_centre").order_by("sequence", "pk"))


@dataclass(frozen=True)
class CostSheet:
    """Planned against actual cost of an order: materials, operations, total and per good unit."""

    planned_materials: Decimal
    planned_operations: Decimal
    actual_materials: Decimal
    actual_operations: Decimal
    planned_unit: Decimal
    actual_unit: Decimal | None

    @property
    def planned_total(self) -> Decimal:
        return self.planned_materials + self.planned_operations

    @property
    def actual_total(self) -> Decimal:
        return self.actual_materials + self.actual_operations


def order_cost(order: ProductionOrder, components: list[OrderComponent], operations: list[OrderOperation]) -> CostSheet:
    """Roll the order's cost up from its lines (planned from the BoM, actual from what was consumed and spent)."""
    cent = Decimal("0.0001")
    planned_materials = sum((c.planned_value for c in components), ZERO).quantize(cent)
    planned_operations = sum((o.planned_value for o in operations), ZERO).quantize(cent)
    actual_materials = sum((c.consumed_value for c in components), ZERO).quantize(cent)
    actual_operations = (order.actual_cost - actual_materials).quantize(cent)
    return CostSheet(
        planned_materials=planned_materials,
        planned_operations=planned_operations,
        actual_materials=actual_materials,
        actual_operations=actual_operations,
        planned_unit=((planned_materials + planned_operations) / order.quantity).quantize(cent),
        actual_unit=order.unit_cost,
    )


def warehouse_choices(*, user: User, company: Company) -> list[Any]:
    """The company's active warehouses, to make orders in."""
    require(user, "production.view", company)
    warehouse = ProductionOrder._meta.get_field("warehouse").related_model
    return list(warehouse.objects.filter(company=company, is_active=True).order_by("code"))  # type: ignore[union-attr]
