"""The inventory REST endpoints under /api/v1/inventory/: products, stock, moves, transfers, reservations, warehouses.

Categories and the opening valuation are in ``api_costing``, the reports in ``api_reports``.

Thin by rule: each endpoint parses an explicit input schema, calls one inventory service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Input schemas
list the writable fields and refuse any other (SEC2): company, state, number, version counters,
done quantities and authorship come from the services only. Quantities and prices travel as
decimal strings ("2.5"), never as binary floats. Ids are looked up within the caller's company,
so another company's record answers 404. Errors are ``spona.core.errors`` answered as problem
JSON by the API layer: ValidationFailed 422 with field errors; StateError, Conflict and
insufficient stock 409.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict

from spona.back.inventory import selectors, selectors_ui, services
from spona.back.inventory.models import Location, Product, Reservation, StockMove, Transfer, Warehouse
from spona.back.inventory.services.stock import fmt
from spona.core.api import Id, Input, Text
from spona.core.models import Company, User

router = Router(tags=["inventory"])

MAX_LINES = 200


def _reasonable_date(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= 2999:
        raise ValueError("Give a date between the years 1900 and 2999.")
    return value


Day = Annotated[dt.date, AfterValidator(_reasonable_date)]
# Bounds keep every quantity and price inside the stock columns (20 digits, 4 decimals).
Quantity = Annotated[Decimal, Field(gt=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
Counted = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=4, allow_inf_nan=False)]
ProductKind = Literal[tuple(Product.Kind.values)]  # type: ignore[valid-type]
Tracking = Literal[tuple(Product.Tracking.values)]  # type: ignore[valid-type]
TransferKind = Literal[tuple(Transfer.Kind.values)]  # type: ignore[valid-type]
TransferState = Literal[tuple(Transfer.State.values)]  # type: ignore[valid-type]
ReservationState = Literal[tuple(Reservation.State.values)]  # type: ignore[valid-type]
LocationKind = Literal[tuple(Location.Kind.values)]  # type: ignore[valid-type]
QuantityText = Annotated[str, Field(description="A decimal quantity as a string, e.g. 2.5.")]
MoneyText = Annotated[str, Field(description="A decimal amount as a string, e.g. 4.20.")]


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _decimal(value: Decimal) -> str:
    return fmt(value)


class PageParams(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


# Products ------------------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    barcode: str
    kind: ProductKind
    category_id: int | None
    uom_id: int
    uom: str
    purchase_uom_id: int
    sale_price: MoneyText
    cost_price: MoneyText
    tracking: Tracking
    allow_negative_stock: bool
    is_active: bool
    template_id: int | None
    version: int = Field(description="Send it back with an update; a stale version answers 409.")


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(Input):
    """A product as a client may write it; company, version and variant links are not input."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Hex bolt M8x40", "sku": "BOLT-M8-40", "uom_id": 1, "cost_price": "0.12"}]},
    )

    name: Text = Field(min_length=1, max_length=200)
    sku: Text = Field(min_length=1, max_length=60)
    uom_id: Id
    purchase_uom_id: Id | None = None
    kind: ProductKind = "goods"
    barcode: Text = Field("", max_length=60)
    category_id: Id | None = None
    sale_price: Price = Decimal(0)
    cost_price: Price = Decimal(0)
    tracking: Tracking = "none"
    allow_negative_stock: bool = False
    is_active: bool = True

    def to_input(self) -> services.ProductInput:
        return services.ProductInput(**self.model_dump())


class ProductUpdateIn(ProductIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read.")


class ProductFilters(PageParams):
    q: Text = Field("", max_length=100, description="Matches SKU and name (contains) or the barcode (exact).")
    category_id: Id | None = None
    kind: ProductKind | None = None
    active: bool | None = Field(True, description="true (default): active only; false: archived only.")


def _product_out(product: Product) -> dict[str, Any]:
    return {
        **{
            f: getattr(product, f)
            for f in ("id", "sku", "name", "barcode", "kind", "category_id", "uom_id", "purchase_uom_id", "tracking")
        },
        **{f: getattr(product, f) for f in ("allow_negative_stock", "is_active", "template_id", "version")},
        "uom": product.uom.name,
        "sale_price": _decimal(product.sale_price),
        "cost_price": _decimal(product.cost_price),
    }


@router.get("/products", response=ProductPage)
def list_inventory_products(request: HttpRequest, filters: Query[ProductFilters]) -> Any:
    """List products by name, with search and filters (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.product_list(
        user=user,
        company=company,
        q=filters.q,
        category_id=filters.category_id,
        kind=filters.kind or "",
        active=filters.active,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_product_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.get("/products/{product_id}", response=ProductOut)
def get_inventory_product(request: HttpRequest, product_id: Id) -> Any:
    """Return one product."""
    user, company = _caller(request)
    return _product_out(selectors.product_get(user=user, company=company, product_id=product_id))


@router.post("/products", response={201: ProductOut})
def create_inventory_product(request: HttpRequest, payload: ProductIn) -> Any:
    """Add a product; SKU and barcode are unique in the company, every problem is reported at once."""
    user, company = _caller(request)
    product = services.product_create(actor=user, company=company, data=payload.to_input())
    return Status(201, _product_out(selectors.product_get(user=user, company=company, product_id=product.pk)))


@router.put("/products/{product_id}", response=ProductOut)
def update_inventory_product(request: HttpRequest, product_id: Id, payload: ProductUpdateIn) -> Any:
    """Replace a product's fields; send the version you read (a stale one answers 409)."""
    user, company = _caller(request)
    data = services.ProductInput(**payload.model_dump(exclude={"version"}))
    services.product_update(actor=user, company=company, product_id=product_id, version=payload.version, data=data)
    return _product_out(selectors.product_get(user=user, company=company, product_id=product_id))


# Stock and moves ---------------------------------------------------------------------------------


class StockOut(Schema):
    product_id: int
    sku: str
    location_id: int
    location: str
    lot: str
    unit: str
    on_hand: QuantityText
    reserved: QuantityText
    available: QuantityText


class StockPage(Schema):
    items: list[StockOut]
    next_cursor: str | None


class StockFilters(PageParams):
    location_id: Id | None = Field(None, description="A location and its children; all stock locations when omitted.")
    q: Text = Field("", max_length=100, description="Matches SKU and name (contains) or the barcode (exact).")


@router.get("/stock", response=StockPage)
def list_inventory_stock(request: HttpRequest, filters: Query[StockFilters]) -> Any:
    """List stock (on hand, reserved, available) per product, location and lot, by SKU (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.stock_page(
        user=user, company=company, location_id=filters.location_id, q=filters.q, cursor=filters.cursor, limit=filters.limit
    )
    items = [
        {
            **{f: getattr(r, f) for f in ("product_id", "sku", "location_id", "location", "lot", "unit")},
            "on_hand": _decimal(r.on_hand),
            "reserved": _decimal(r.reserved),
            "available": _decimal(r.available),
        }
        for r in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


class MoveOut(Schema):
    id: int
    product_id: int
    sku: str
    from_location_id: int
    from_location: str
    to_location_id: int
    to_location: str
    lot: str
    quantity: QuantityText
    unit_cost: MoneyText
    done_at: dt.datetime
    transfer_id: int | None
    reference: str
    reason: str


class MovePage(Schema):
    items: list[MoveOut]
    next_cursor: str | None


class MoveFilters(PageParams):
    product_id: Id | None = None
    location_id: Id | None = Field(None, description="Moves in or out of this location and its children.")
    date_from: Day | None = None
    date_to: Day | None = None


def _move_out(move: StockMove) -> dict[str, Any]:
    return {
        **{f: getattr(move, f) for f in ("id", "product_id", "from_location_id", "to_location_id", "done_at", "transfer_id")},
        **{f: getattr(move, f) for f in ("reference", "reason")},
        "sku": move.product.sku,
        "from_location": move.from_location.full_name,
        "to_location": move.to_location.full_name,
        "lot": move.lot.name if move.lot else "",
        "quantity": _decimal(move.quantity),
        "unit_cost": _decimal(move.unit_cost),
    }


@router.get("/moves", response=MovePage)
def list_inventory_moves(request: HttpRequest, filters: Query[MoveFilters]) -> Any:
    """List done stock moves, newest first, by product, location and date range (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.move_page(
        user=user,
        company=company,
        filters=selectors_ui.MoveFilters(
            product_id=filters.product_id, location_id=filters.location_id, date_from=filters.date_from, date_to=filters.date_to
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_move_out(m) for m in page.items], "next_cursor": page.next_cursor}


# Transfers -------------------------------------------------------------------------------------------


class TransferLineOut(Schema):
    id: int
    product_id: int
    sku: str
    lot: str
    quantity: QuantityText
    quantity_done: QuantityText


class TransferSummary(Schema):
    id: int
    number: str
    kind: TransferKind
    state: TransferState
    warehouse_id: int
    from_location_id: int
    to_location_id: int
    party_id: int | None
    reference: str
    scheduled_date: dt.date | None
    backorder_of_id: int | None
    done_at: dt.datetime | None


class TransferOut(TransferSummary):
    lines: list[TransferLineOut]
    backorder_ids: list[int]


class TransferPage(Schema):
    items: list[TransferSummary]
    next_cursor: str | None


class TransferLineIn(Input):
    product_id: Id
    quantity: Quantity
    uom_id: Id | None = Field(None, description="Another unit of the product's kind; the product's unit when omitted.")
    lot: Text = Field("", max_length=100, description="Lot or serial number (tracked products).")
    unit_cost: Price | None = None


class TransferIn(Input):
    """A draft receipt, delivery or internal transfer; confirm it to reserve, validate it to move the stock."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "receipt", "warehouse_id": 1, "lines": [{"product_id": 7, "quantity": "10"}]}]},
    )

    kind: TransferKind
    warehouse_id: Id
    lines: list[TransferLineIn] = Field(min_length=1, max_length=MAX_LINES)
    party_id: Id | None = None
    reference: Text = Field("", max_length=100)
    scheduled_date: Day | None = None
    from_location_id: Id | None = None
    to_location_id: Id | None = None


class DoneQuantityIn(Input):
    line_id: Id
    quantity: Counted


class ValidateIn(Input):
    quantities: list[DoneQuantityIn] | None = Field(
        None, max_length=MAX_LINES, description="What was moved per line; omitted: every line in full. A line left out: 0."
    )
    backorder: bool = Field(True, description="Keep what is not moved on a backorder (true) or cancel it (false).")


class TransferFilters(PageParams):
    kind: TransferKind | None = None
    state: TransferState | None = None
    q: Text = Field("", max_length=100, description="Matches number, source document and partner name.")


def _transfer_summary(transfer: Transfer) -> dict[str, Any]:
    return {
        f: getattr(transfer, f)
        for f in (
            "id",
            "number",
            "kind",
            "state",
            "warehouse_id",
            "from_location_id",
            "to_location_id",
            "party_id",
            "reference",
            "scheduled_date",
            "backorder_of_id",
            "done_at",
        )
    }


def _transfer_out(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    transfer = selectors.transfer_get(user=user, company=company, transfer_id=transfer_id)
    lines = [
        {
            "id": line.pk,
            "product_id": line.product_id,
            "sku": line.product.sku,
            "lot": line.lot.name if line.lot else "",
            "quantity": _decimal(line.quantity),
            "quantity_done": _decimal(line.quantity_done),
        }
        for line in transfer.lines.all()
    ]
    return {
        **_transfer_summary(transfer),
        "lines": lines,
        "backorder_ids": sorted(b.pk for b in transfer.backorders.all()),
    }


@router.get("/transfers", response=TransferPage)
def list_inventory_transfers(request: HttpRequest, filters: Query[TransferFilters]) -> Any:
    """List transfers, newest first, by kind and state (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.transfer_page(
        user=user,
        company=company,
        kind=filters.kind or "",
        state=filters.state or "",
        q=filters.q,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_transfer_summary(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/transfers/{transfer_id}", response=TransferOut)
def get_inventory_transfer(request: HttpRequest, transfer_id: Id) -> Any:
    """Return one transfer with its lines and backorders."""
    return _transfer_out(request, transfer_id)


@router.post("/transfers", response={201: TransferOut})
def create_inventory_transfer(request: HttpRequest, payload: TransferIn) -> Any:
    """Draft a transfer; the locations default to the warehouse's for its kind. Every invalid line is reported."""
    user, company = _caller(request)
    transfer = services.transfer_create(
        actor=user,
        company=company,
        kind=payload.kind,
        warehouse_id=payload.warehouse_id,
        lines=[services.TransferLineIn(**line.model_dump()) for line in payload.lines],
        party_id=payload.party_id,
        reference=payload.reference,
        scheduled_date=payload.scheduled_date,
        from_location_id=payload.from_location_id,
        to_location_id=payload.to_location_id,
    )
    return Status(201, _transfer_out(request, transfer.pk))


@router.post("/transfers/{transfer_id}/confirm", response=TransferOut)
def confirm_inventory_transfer(request: HttpRequest, transfer_id: Id) -> Any:
    """Confirm a draft: plan the moves and reserve the stock it takes out (409 with the figures when short)."""
    user, company = _caller(request)
    services.transfer_confirm(actor=user, company=company, transfer_id=transfer_id)
    return _transfer_out(request, transfer_id)


@router.post("/transfers/{transfer_id}/validate", response=TransferOut)
def validate_inventory_transfer(request: HttpRequest, transfer_id: Id, payload: ValidateIn) -> Any:
    """Move the stock (all of it, or the quantities given); the rest goes to a backorder or is cancelled."""
    user, company = _caller(request)
    quantities = None
    if payload.quantities is not None:
        quantities = {q.line_id: q.quantity for q in payload.quantities}
    services.transfer_validate(
        actor=user, company=company, transfer_id=transfer_id, quantities=quantities, backorder=payload.backorder
    )
    return _transfer_out(request, transfer_id)


@router.post("/transfers/{transfer_id}/cancel", response=TransferOut)
def cancel_inventory_transfer(request: HttpRequest, transfer_id: Id) -> Any:
    """Cancel a draft or confirmed transfer; its reserved stock is released."""
    user, company = _caller(request)
    services.transfer_cancel(actor=user, company=company, transfer_id=transfer_id)
    return _transfer_out(request, transfer_id)


# Reservations ---------------------------------------------------------------------------------------


class ReservationOut(Schema):
    id: int
    product_id: int
    location_id: int
    lot: str
    state: ReservationState
    requested: QuantityText
    quantity: QuantityText = Field(description="Still reserved.")
    reference: str
    party_id: int | None


class ReservationIn(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"product_id": 7, "location_id": 3, "quantity": "2", "reference": "SO-1042"}]},
    )

    product_id: Id
    location_id: Id = Field(description="A warehouse location; stock in its children counts too.")
    quantity: Quantity
    reference: Text = Field(min_length=1, max_length=100, description="What the stock is reserved for.")
    lot: Text = Field("", max_length=100)
    party_id: Id | None = None


class ReleaseIn(Input):
    quantity: Quantity | None = Field(None, description="How much to give back; all of it when omitted.")


def _reservation_out(reservation: Reservation) -> dict[str, Any]:
    return {
        **{f: getattr(reservation, f) for f in ("id", "product_id", "location_id", "state", "reference", "party_id")},
        "lot": reservation.lot.name if reservation.lot else "",
        "requested": _decimal(reservation.requested),
        "quantity": _decimal(reservation.quantity),
    }


@router.post("/reservations", response={201: ReservationOut})
def create_inventory_reservation(request: HttpRequest, payload: ReservationIn) -> Any:
    """Reserve available stock for a purpose; the last unit is never promised twice (409 insufficient_stock)."""
    user, company = _caller(request)
    reservation = services.reservation_create(actor=user, company=company, **payload.model_dump())
    return Status(201, _reservation_out(reservation))


@router.post("/reservations/{reservation_id}/release", response=ReservationOut)
def release_inventory_reservation(request: HttpRequest, reservation_id: Id, payload: ReleaseIn) -> Any:
    """Give reserved stock back (all of it, or a quantity). A transfer's reservation is released by cancelling it."""
    user, company = _caller(request)
    reservation = services.reservation_release(
        actor=user, company=company, reservation_id=reservation_id, quantity=payload.quantity
    )
    return _reservation_out(reservation)


# Warehouses ----------------------------------------------------------------------------------------


class LocationOut(Schema):
    id: int
    name: str
    full_name: str
    kind: LocationKind


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address_id: int | None
    stock_location: LocationOut
    input_location: LocationOut
    output_location: LocationOut


class WarehouseIn(Input):
    code: Text = Field(min_length=1, max_length=10, description="Short, used in location names and transfer numbers.")
    name: Text = Field(min_length=1, max_length=100)
    address_id: Id | None = Field(None, description="A party whose address the warehouse has.")


def _warehouse_out(warehouse: Warehouse) -> dict[str, Any]:
    def location(x: Location) -> dict[str, Any]:
        return {"id": x.pk, "name": x.name, "full_name": x.full_name, "kind": x.kind}

    return {
        **{f: getattr(warehouse, f) for f in ("id", "code", "name", "address_id")},
        "stock_location": location(warehouse.stock_location),
        "input_location": location(warehouse.input_location),
        "output_location": location(warehouse.output_location),
    }


@router.get("/warehouses", response=list[WarehouseOut])
def list_inventory_warehouses(request: HttpRequest) -> Any:
    """List the active warehouses by code, with their main locations."""
    user, company = _caller(request)
    return [_warehouse_out(w) for w in selectors_ui.warehouse_list(user=user, company=company)]


@router.post("/warehouses", response={201: WarehouseOut})
def create_inventory_warehouse(request: HttpRequest, payload: WarehouseIn) -> Any:
    """Open a warehouse with its location tree: CODE, CODE/Stock, CODE/Input, CODE/Output."""
    user, company = _caller(request)
    warehouse = services.warehouse_create(actor=user, company=company, **payload.model_dump())
    return Status(201, _warehouse_out(selectors_ui.warehouse_get(user=user, company=company, warehouse_id=warehouse.pk)))


# Reports and costing live in modules of their own; mounted here so that /api/v1/inventory/... stays one router.
from spona.back.inventory.api_costing import router as costing_router  # noqa: E402
from spona.back.inventory.api_reports import router as reports_router  # noqa: E402

router.add_router("", costing_router)
router.add_router("", reports_router)
