"""The production REST endpoints under /api/v1/production/: work centres and their load, routes,
bills of materials, production orders and their lifecycle.

Thin by rule: each endpoint parses an explicit input schema, calls one production service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields and refuse any other (SEC2): company, number, state, costs, produced
quantities and versions come from the services only. Quantities and amounts travel as decimal
strings. Ids are looked up within the caller's company, so another company's record answers
404; a transition the order's state does not allow answers 409, missing stock 409
(``insufficient_stock``), invalid input 422 with field errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from spona.back.production import selectors, services
from spona.back.production.models import Bom, ProductionOrder, ProductRoute, WorkCentre
from spona.core.api import Id, Input, PageParams, Text
from spona.core.models import Company, User

router = Router(tags=["production"])

Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
Minutes = Annotated[Decimal, Field(ge=0, le=Decimal("1e8"), decimal_places=2, allow_inf_nan=False)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, lt=100, decimal_places=2, allow_inf_nan=False)]
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))]
DecimalText = Annotated[str, Field(description="A decimal number as a string, e.g. 12.5.")]
OrderState = Literal[tuple(ProductionOrder.State.values)]  # type: ignore[valid-type]
RouteName = Literal[tuple(ProductRoute.Route.values)]  # type: ignore[valid-type]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# Work centres ------------------------------------------------------------------------------------


class WorkCentreOut(Schema):
    id: int
    code: str
    name: str
    hours_per_day: DecimalText
    working_days: str = Field(description="ISO weekdays it works, 1 = Monday … 7 = Sunday.")
    cost_per_hour: DecimalText
    is_active: bool
    version: int


class WorkCentreIn(Input):
    code: Text = Field(max_length=20)
    name: Text = Field(max_length=100)
    hours_per_day: Annotated[Decimal, Field(gt=0, le=24, decimal_places=2, allow_inf_nan=False)] = Decimal(8)
    working_days: Text = Field("12345", max_length=7, pattern=r"^[1-7]{1,7}$")
    cost_per_hour: Money = Decimal(0)
    is_active: bool = True


class WorkCentreUpdate(WorkCentreIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")


class LoadDayOut(Schema):
    day: dt.date
    capacity_minutes: DecimalText
    booked_minutes: DecimalText
    free_minutes: DecimalText
    percent: int


class LoadParams(Schema):
    start: Day | None = None
    days: int = Field(14, ge=1, le=92)


def _centre_out(centre: WorkCentre) -> dict[str, Any]:
    return {
        "id": centre.pk,
        "code": centre.code,
        "name": centre.name,
        "hours_per_day": _dec(centre.hours_per_day),
        "working_days": centre.working_days,
        "cost_per_hour": _dec(centre.cost_per_hour),
        "is_active": centre.is_active,
        "version": centre.version,
    }


def _centre_input(payload: WorkCentreIn) -> services.WorkCentreInput:
    return services.WorkCentreInput(**payload.model_dump(exclude={"version"}))


@router.get("/work-centres", response=list[WorkCentreOut])
def list_production_work_centres(request: HttpRequest) -> Any:
    """List the company's work centres by code."""
    user, company = _caller(request)
    return [_centre_out(c) for c in selectors.work_centre_list(user=user, company=company)]


@router.post("/work-centres", response={201: WorkCentreOut})
def create_production_work_centre(request: HttpRequest, payload: WorkCentreIn) -> Any:
    """Open a work centre with its hours per day, working weekdays and cost per hour."""
    user, company = _caller(request)
    return Status(201, _centre_out(services.work_centre_create(actor=user, company=company, data=_centre_input(payload))))


@router.get("/work-centres/{work_centre_id}", response=WorkCentreOut)
def get_production_work_centre(request: HttpRequest, work_centre_id: Id) -> Any:
    """Return one work centre."""
    user, company = _caller(request)
    return _centre_out(selectors.work_centre_get(user=user, company=company, work_centre_id=work_centre_id))


@router.put("/work-centres/{work_centre_id}", response=WorkCentreOut)
def update_production_work_centre(request: HttpRequest, work_centre_id: Id, payload: WorkCentreUpdate) -> Any:
    """Replace a work centre's settings; a stale version answers 409."""
    user, company = _caller(request)
    centre = services.work_centre_update(
        actor=user, company=company, work_centre_id=work_centre_id, version=payload.version, data=_centre_input(payload)
    )
    return _centre_out(centre)


@router.get("/work-centres/{work_centre_id}/load", response=list[LoadDayOut])
def get_production_work_centre_load(request: HttpRequest, work_centre_id: Id, params: Query[LoadParams]) -> Any:
    """Capacity, booked and free minutes of a work centre per day (from today by default)."""
    user, company = _caller(request)
    days = selectors.work_centre_load(
        user=user, company=company, work_centre_id=work_centre_id, start=params.start or dt.date.today(), days=params.days
    )
    return [
        {
            "day": d.day,
            "capacity_minutes": _dec(d.capacity),
            "booked_minutes": _dec(d.booked),
            "free_minutes": _dec(d.free),
            "percent": d.percent,
        }
        for d in days
    ]


# Routes ------------------------------------------------------------------------------------------


class RouteIn(Input):
    product_id: Id
    route: RouteName


class RouteOut(Schema):
    product_id: int
    route: RouteName


@router.post("/routes", response=RouteOut)
def set_production_route(request: HttpRequest, payload: RouteIn) -> Any:
    """Say how demand for a product is met: make to stock, make to order or buy."""
    user, company = _caller(request)
    setting = services.product_route_set(actor=user, company=company, product_id=payload.product_id, route=payload.route)
    return {"product_id": setting.product_id, "route": setting.route}


# Bills of materials ------------------------------------------------------------------------------


class BomLineIn(Input):
    product_id: Id
    quantity: Quantity
    uom_id: Id | None = None
    scrap_percent: Percent = Decimal(0)


class BomOperationIn(Input):
    name: Text = Field(max_length=100)
    work_centre_id: Id
    minutes_per_unit: Minutes = Decimal(0)
    setup_minutes: Minutes = Decimal(0)


class BomIn(Input):
    product_id: Id
    output_quantity: Quantity = Decimal(1)
    lines: list[BomLineIn] = Field(min_length=1, max_length=200)
    operations: list[BomOperationIn] = Field(default_factory=list, max_length=50)
    notes: Text = Field("", max_length=500)
    activate: bool = True


class BomLineOut(Schema):
    product_id: int
    sku: str
    quantity: DecimalText
    uom_id: int
    scrap_percent: DecimalText


class BomOperationOut(Schema):
    name: str
    work_centre_id: int
    minutes_per_unit: DecimalText
    setup_minutes: DecimalText


class BomOut(Schema):
    id: int
    product_id: int
    sku: str
    version: int
    output_quantity: DecimalText
    is_active: bool
    notes: str
    lines: list[BomLineOut]
    operations: list[BomOperationOut]


class BomSummary(Schema):
    id: int
    product_id: int
    sku: str
    version: int
    output_quantity: DecimalText
    is_active: bool


class BomPage(Schema):
    items: list[BomSummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class BomFilters(PageParams):
    q: Text = Field("", max_length=100)
    active: bool | None = None


def _bom_summary(bom: Bom) -> dict[str, Any]:
    return {
        "id": bom.pk,
        "product_id": bom.product_id,
        "sku": bom.product.sku,
        "version": bom.version,
        "output_quantity": _dec(bom.output_quantity),
        "is_active": bom.is_active,
    }


def _bom_out(bom: Bom) -> dict[str, Any]:
    return {
        **_bom_summary(bom),
        "notes": bom.notes,
        "lines": [
            {
                "product_id": line.component_id,
                "sku": line.component.sku,
                "quantity": _dec(line.quantity),
                "uom_id": line.uom_id,
                "scrap_percent": _dec(line.scrap_percent),
            }
            for line in bom.lines.all()
        ],
        "operations": [
            {
                "name": op.name,
                "work_centre_id": op.work_centre_id,
                "minutes_per_unit": _dec(op.minutes_per_unit),
                "setup_minutes": _dec(op.setup_minutes),
            }
            for op in bom.operations.all()
        ],
    }


@router.get("/boms", response=BomPage)
def list_production_boms(request: HttpRequest, filters: Query[BomFilters]) -> Any:
    """List BoMs newest first, by product name or SKU and active flag (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.bom_list(
        user=user, company=company, q=filters.q, active=filters.active, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [_bom_summary(b) for b in page.items], "next_cursor": page.next_cursor}


@router.post("/boms", response={201: BomOut})
def create_production_bom(request: HttpRequest, payload: BomIn) -> Any:
    """Add a BoM version for a product (active at once unless `activate` is false); a cycle answers 422."""
    user, company = _caller(request)
    data = services.BomInput(
        product_id=payload.product_id,
        output_quantity=payload.output_quantity,
        lines=[services.BomLineInput(**line.model_dump()) for line in payload.lines],
        operations=[services.BomOperationInput(**op.model_dump()) for op in payload.operations],
        notes=payload.notes,
    )
    bom = services.bom_create(actor=user, company=company, data=data, activate=payload.activate)
    return Status(201, _bom_out(selectors.bom_get(user=user, company=company, bom_id=bom.pk)))


@router.get("/boms/{bom_id}", response=BomOut)
def get_production_bom(request: HttpRequest, bom_id: Id) -> Any:
    """Return one BoM with its component lines and operations."""
    user, company = _caller(request)
    return _bom_out(selectors.bom_get(user=user, company=company, bom_id=bom_id))


@router.post("/boms/{bom_id}/activate", response=BomOut)
def activate_production_bom(request: HttpRequest, bom_id: Id) -> Any:
    """Make this version the product's active BoM; one that closes a cycle answers 422."""
    user, company = _caller(request)
    services.bom_activate(actor=user, company=company, bom_id=bom_id)
    return _bom_out(selectors.bom_get(user=user, company=company, bom_id=bom_id))


# Production orders -------------------------------------------------------------------------------


class ComponentOut(Schema):
    product_id: int
    sku: str
    quantity: DecimalText
    consumed: DecimalText
    short: DecimalText
    exploded_from_id: int | None


class OperationOut(Schema):
    name: str
    work_centre_id: int
    planned_minutes: DecimalText
    spent_minutes: DecimalText
    start_date: dt.date | None
    end_date: dt.date | None


class ProductionOrderOut(Schema):
    id: int
    number: str
    product_id: int
    sku: str
    bom_id: int
    warehouse_id: int
    quantity: DecimalText
    produced_quantity: DecimalText
    scrapped_quantity: DecimalText
    state: OrderState
    start_date: dt.date
    planned_end: dt.date | None
    due_date: dt.date | None
    reference: str
    party_id: int | None
    parent_id: int | None
    components_short: bool
    planned_cost: DecimalText
    actual_cost: DecimalText
    unit_cost: DecimalText | None
    currency: str
    version: int


class OrderDetailOut(ProductionOrderOut):
    components: list[ComponentOut]
    operations: list[OperationOut]


class ProductionOrderPage(Schema):
    items: list[ProductionOrderOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class OrderFilters(PageParams):
    q: Text = Field("", max_length=100)
    state: OrderState | None = None
    product_id: Id | None = None


class ProductionOrderIn(Input):
    product_id: Id
    quantity: Quantity
    warehouse_id: Id
    start_date: Day | None = None
    due_date: Day | None = None
    reference: Text = Field("", max_length=100)
    party_id: Id | None = None
    bom_id: Id | None = None


class ProduceIn(Input):
    quantity: Quantity
    scrap_quantity: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)] = Decimal(0)
    finish: bool = Field(False, description="Close the order after this batch even if less was made.")


def _order_out(order: ProductionOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "product_id": order.product_id,
        "sku": order.product.sku,
        "bom_id": order.bom_id,
        "warehouse_id": order.warehouse_id,
        "quantity": _dec(order.quantity),
        "produced_quantity": _dec(order.produced_quantity),
        "scrapped_quantity": _dec(order.scrapped_quantity),
        "state": order.state,
        "start_date": order.start_date,
        "planned_end": order.planned_end,
        "due_date": order.due_date,
        "reference": order.reference,
        "party_id": order.party_id,
        "parent_id": order.parent_id,
        "components_short": order.components_short,
        "planned_cost": _dec(order.planned_cost),
        "actual_cost": _dec(order.actual_cost),
        "unit_cost": _dec(order.unit_cost),
        "currency": order.company.base_currency,
        "version": order.version,
    }


def _order_detail(request: HttpRequest, order_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    order = selectors.order_get(user=user, company=company, order_id=order_id)
    return {
        **_order_out(order),
        "components": [
            {
                "product_id": c.product_id,
                "sku": c.product.sku,
                "quantity": _dec(c.quantity),
                "consumed": _dec(c.consumed_quantity),
                "short": _dec(c.short_quantity),
                "exploded_from_id": c.exploded_from_id,
            }
            for c in selectors.order_components(order)
        ],
        "operations": [
            {
                "name": o.name,
                "work_centre_id": o.work_centre_id,
                "planned_minutes": _dec(o.planned_minutes),
                "spent_minutes": _dec(o.spent_minutes),
                "start_date": o.start_date,
                "end_date": o.end_date,
            }
            for o in selectors.order_operations(order)
        ],
    }


@router.get("/orders", response=ProductionOrderPage)
def list_production_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """List production orders newest first, by number, reference or product, state (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.order_list(
        user=user,
        company=company,
        q=filters.q,
        state=filters.state or "",
        product_id=filters.product_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_order_out(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post("/orders", response={201: OrderDetailOut})
def create_production_order(request: HttpRequest, payload: ProductionOrderIn) -> Any:
    """Draft a production order from the product's active BoM (or `bom_id`), exploded and costed."""
    user, company = _caller(request)
    order = services.production_order_create(actor=user, company=company, **payload.model_dump())
    return Status(201, _order_detail(request, order.pk))


@router.get("/orders/{production_order_id}", response=OrderDetailOut)
def get_production_order(request: HttpRequest, production_order_id: Id) -> Any:
    """Return one production order with its components, operations and costs."""
    return _order_detail(request, production_order_id)


@router.post("/orders/{production_order_id}/confirm", response=OrderDetailOut)
def confirm_production_order(request: HttpRequest, production_order_id: Id) -> Any:
    """Confirm a draft: reserve components (short ones are reported), schedule operations."""
    user, company = _caller(request)
    services.production_order_confirm(actor=user, company=company, order_id=production_order_id)
    return _order_detail(request, production_order_id)


@router.post("/orders/{production_order_id}/reserve", response=OrderDetailOut)
def reserve_production_order(request: HttpRequest, production_order_id: Id) -> Any:
    """Reserve again what an open order is short of."""
    user, company = _caller(request)
    services.production_order_reserve(actor=user, company=company, order_id=production_order_id)
    return _order_detail(request, production_order_id)


@router.post("/orders/{production_order_id}/produce", response=OrderDetailOut)
def produce_production_order(request: HttpRequest, production_order_id: Id, payload: ProduceIn) -> Any:
    """Record a batch of good and scrapped units: components consumed, finished goods received at cost."""
    user, company = _caller(request)
    services.production_order_produce(actor=user, company=company, order_id=production_order_id, **payload.model_dump())
    return _order_detail(request, production_order_id)


@router.post("/orders/{production_order_id}/finish", response=OrderDetailOut)
def finish_production_order(request: HttpRequest, production_order_id: Id) -> Any:
    """Make what remains in one last batch and close the order."""
    user, company = _caller(request)
    services.production_order_finish(actor=user, company=company, order_id=production_order_id)
    return _order_detail(request, production_order_id)


@router.post("/orders/{production_order_id}/cancel", response=OrderDetailOut)
def cancel_production_order(request: HttpRequest, production_order_id: Id) -> Any:
    """Cancel an order before anything was produced: reservations released, capacity freed."""
    user, company = _caller(request)
    services.production_order_cancel(actor=user, company=company, order_id=production_order_id)
    return _order_detail(request, production_order_id)
