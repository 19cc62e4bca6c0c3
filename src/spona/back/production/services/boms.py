"""Work centres, routes per product, bills of materials and their multi-level explosion."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

import spona.back.inventory.selectors as inventory_selectors
from spona.back.production.models import Bom, BomLine, BomOperation, ProductRoute, WorkCentre
from spona.back.production.services.common import ZERO, Product, Uom, in_unit, positive, product_of, round_up
from spona.core import audit
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise

MAX_LEVELS = 20  # deeper than any real product structure; a guard against runaway recursion


# Work centres ------------------------------------------------------------------------------------


@dataclass
class WorkCentreInput:
    """What a caller may set on a work centre (SEC2: company and version are never input)."""

    code: str
    name: str
    hours_per_day: Decimal = Decimal(8)
    working_days: str = "12345"
    cost_per_hour: Decimal = ZERO
    is_active: bool = True


def _apply_work_centre(centre: WorkCentre, data: WorkCentreInput) -> None:
    centre.code = (data.code or "").strip().upper()
    centre.name = (data.name or "").strip()
    centre.hours_per_day = data.hours_per_day
    centre.working_days = "".join(sorted(set((data.working_days or "").strip())))
    centre.cost_per_hour = data.cost_per_hour
    centre.is_active = data.is_active
    errors: dict[str, list[str]] = {}
    if not centre.code or len(centre.code) > 20:
        errors["code"] = ["Give a short code (up to 20 characters)."]
    elif WorkCentre.objects.filter(company_id=centre.company_id, code=centre.code).exclude(pk=centre.pk).exists():
        errors["code"] = [f"A work centre with code {centre.code} exists already."]
    if not centre.name:
        errors["name"] = ["Give the work centre a name."]
    if data.hours_per_day is None or not ZERO < data.hours_per_day <= 24:
        errors["hours_per_day"] = ["Between 0 and 24 hours."]
    if not centre.working_days or any(d not in "1234567" for d in centre.working_days):
        errors["working_days"] = ["List the working weekdays as digits, 1 = Monday … 7 = Sunday (e.g. 12345)."]
    if data.cost_per_hour is None or data.cost_per_hour < 0:
        errors["cost_per_hour"] = ["Zero or more."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    full_clean_or_raise(centre, exclude=["company"])


@transaction.atomic
def work_centre_create(*, actor: User | None, company: Company, data: WorkCentreInput) -> WorkCentre:
    """Open a work centre with its daily capacity, calendar and hourly cost.

    Raises ValidationFailed for a duplicate code, hours outside (0, 24] or an unknown weekday.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    centre = WorkCentre(company=company)
    _apply_work_centre(centre, data)
    centre.save()
    audit.record(actor=actor, target=centre, action="created")
    return centre


@transaction.atomic
def work_centre_update(
    *, actor: User | None, company: Company, work_centre_id: int, version: int, data: WorkCentreInput
) -> WorkCentre:
    """Change a work centre; a stale ``version`` is refused with Conflict (QUALITY C2).

    Loads already scheduled stay as they are; new schedules use the new capacity.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    centre = WorkCentre.objects.select_for_update().filter(pk=work_centre_id, company=company).first()
    if centre is None:
        raise NotFound("No such work centre.")
    if centre.version != version:
        raise Conflict("Someone changed this work centre since you opened it; reload and try again.", code="stale_version")
    fields = ["code", "name", "hours_per_day", "working_days", "cost_per_hour", "is_active"]
    before = audit.snapshot(centre, fields)
    _apply_work_centre(centre, data)
    centre.version += 1
    centre.save()
    audit.record(actor=actor, target=centre, action="updated", changes=audit.diff(before, audit.snapshot(centre, fields)))
    return centre


# Routes ------------------------------------------------------------------------------------------


def route_of(*, company: Company, product_id: int) -> str:
    """The product's route (make to stock unless set otherwise)."""
    found = ProductRoute.objects.filter(company=company, product_id=product_id).values_list("route", flat=True).first()
    return found or ProductRoute.Route.MAKE_TO_STOCK


@transaction.atomic
def product_route_set(*, actor: User | None, company: Company, product_id: int, route: str) -> ProductRoute:
    """Say how demand for a product is met: make to stock, make to order or buy."""
    if actor is not None:
        require(actor, "production.manage", company)
    if route not in ProductRoute.Route.values:
        raise ValidationFailed("Choose a route.", field_errors={"route": ["Unknown route."]})
    product = product_of(company, product_id)
    setting = ProductRoute.objects.select_for_update().filter(company=company, product=product).first()
    before = setting.route if setting else ""
    if setting is None:
        setting = ProductRoute(company=company, product=product)
    setting.route = route
    setting.save()
    audit.record(actor=actor, target=setting, action="updated", changes={"route": [before, route]})
    return setting


# Bills of materials ------------------------------------------------------------------------------


@dataclass
class BomLineInput:
    product_id: int
    quantity: Decimal
    uom_id: int | None = None
    scrap_percent: Decimal = ZERO


@dataclass
class BomOperationInput:
    name: str
    work_centre_id: int
    minutes_per_unit: Decimal = ZERO
    setup_minutes: Decimal = ZERO


@dataclass
class BomInput:
    """A new BoM version: output quantity, component lines and operations (SEC2: version and state are not input)."""

    product_id: int
    output_quantity: Decimal = Decimal(1)
    lines: list[BomLineInput] = field(default_factory=list)
    operations: list[BomOperationInput] = field(default_factory=list)
    notes: str = ""


def _components_of_active(company: Company) -> dict[int, list[int]]:
    """Product id → component ids of its active BoM, for the whole company in one query."""
    graph: dict[int, list[int]] = {}
    rows = BomLine.objects.filter(bom__company=company, bom__is_active=True).values_list("bom__product_id", "component_id")
    for product_id, component_id in rows:
        graph.setdefault(product_id, []).append(component_id)
    return graph


def check_no_cycle(company: Company, product_id: int, component_ids: list[int]) -> None:
    """Refuse a BoM of ``product_id`` whose components (through their active BoMs) lead back to it.

    Raises ValidationFailed (code ``bom_cycle``) naming the path, e.g. "A → B → A".
    """
    graph = _components_of_active(company)
    graph[product_id] = list(component_ids)
    path: list[int] = []
    finished: set[int] = set()

    def visit(node: int) -> list[int] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in finished:
            return None
        path.append(node)
        for child in graph.get(node, []):
            found = visit(child)
            if found:
                return found
        path.pop()
        finished.add(node)
        return None

    cycle = visit(product_id)
    if cycle:
        skus = dict(Product.objects.filter(pk__in=cycle).values_list("pk", "sku"))
        shown = " → ".join(skus.get(pk, str(pk)) for pk in cycle)
        raise ValidationFailed(
            f"This bill of materials would make a product out of itself: {shown}.",
            code="bom_cycle",
            field_errors={"lines": [f"Cycle: {shown}."]},
            extra={"cycle": [skus.get(pk, str(pk)) for pk in cycle]},
        )


def _validate_bom(company: Company, data: BomInput) -> tuple[Any, list[tuple[BomLineInput, Any, Any]], list[WorkCentre]]:
    product = product_of(company, data.product_id)
    errors: dict[str, list[str]] = {}
    positive(data.output_quantity, "output_quantity")
    if not data.lines:
        errors["lines"] = ["Add at least one component."]
    lines = []
    for i, line in enumerate(data.lines):
        component = product_of(company, line.product_id, field=f"lines.{i}.product_id")
        if component.pk == product.pk:
            errors["lines"] = [f"{product.sku} cannot be a component of itself."]
        uom = component.uom
        if line.uom_id is not None:
            uom = Uom.objects.filter(pk=line.uom_id, company=company).first()
            if uom is None or uom.category_id != component.uom.category_id:
                errors[f"lines.{i}.uom_id"] = [f"Use a unit of the same kind as {component.uom.name}."]
                uom = component.uom
        positive(line.quantity, f"lines.{i}.quantity")
        if line.scrap_percent is None or not ZERO <= line.scrap_percent < 100:
            errors[f"lines.{i}.scrap_percent"] = ["Between 0 and 100 (exclusive)."]
        lines.append((line, component, uom))
    centres = []
    for i, op in enumerate(data.operations):
        centre = WorkCentre.objects.filter(pk=op.work_centre_id, company=company, is_active=True).first()
        if centre is None:
            errors[f"operations.{i}.work_centre_id"] = ["Choose an active work centre of this company."]
        if not (op.name or "").strip():
            errors[f"operations.{i}.name"] = ["Name the operation."]
        if op.minutes_per_unit is None or op.minutes_per_unit < 0 or op.setup_minutes is None or op.setup_minutes < 0:
            errors[f"operations.{i}.minutes_per_unit"] = ["Zero or more minutes."]
        centres.append(centre)
    if errors:
        raise ValidationFailed("The bill of materials is not valid.", field_errors=errors)
    return product, lines, centres  # type: ignore[return-value]


@transaction.atomic
def bom_create(*, actor: User | None, company: Company, data: BomInput, activate: bool = True) -> Bom:
    """Add a new version of a product's bill of materials (active at once unless ``activate=False``).

    Versions count up per product; activating one deactivates the previous active version.
    Raises ValidationFailed for foreign or service products, units of another kind, a scrap
    factor outside [0, 100), no components, and (code ``bom_cycle``) a structure that would
    make the product out of itself through any level of sub-assemblies.
    """
    if actor is not None:
        require(actor, "production.manage", company)
    product, lines, centres = _validate_bom(company, data)
    # One writer per product's BoMs at a time: versions and the active flag stay consistent.
    Product.objects.select_for_update(no_key=True, of=("self",)).filter(pk=product.pk).first()
    if activate:
        check_no_cycle(company, product.pk, [component.pk for _, component, _ in lines])
    version = (Bom.objects.filter(product=product).aggregate(v=Max("version"))["v"] or 0) + 1
    if activate:
        Bom.objects.filter(product=product, is_active=True).update(is_active=False)
    bom = Bom.objects.create(
        company=company,
        product=product,
        version=version,
        output_quantity=positive(data.output_quantity, "output_quantity"),
        is_active=activate,
        notes=(data.notes or "").strip()[:500],
    )
    BomLine.objects.bulk_create(
        [
            BomLine(
                bom=bom,
                component=component,
                quantity=line.quantity,
                uom=uom,
                scrap_percent=line.scrap_percent,
                sequence=(i + 1) * 10,
            )
            for i, (line, component, uom) in enumerate(lines)
        ]
    )
    BomOperation.objects.bulk_create(
        [
            BomOperation(
                bom=bom,
                name=op.name.strip()[:100],
                work_centre=centre,
                minutes_per_unit=op.minutes_per_unit,
                setup_minutes=op.setup_minutes,
                sequence=(i + 1) * 10,
            )
            for i, (op, centre) in enumerate(zip(data.operations, centres, strict=True))
        ]
    )
    audit.record(actor=actor, target=bom, action="created", changes={"version": [None, version], "active": [None, activate]})
    return bom


@transaction.atomic
def bom_activate(*, actor: User | None, company: Company, bom_id: int) -> Bom:
    """Make a version the product's active BoM (new orders use it); refuses one that closes a cycle."""
    if actor is not None:
        require(actor, "production.manage", company)
    bom = Bom.objects.filter(pk=bom_id, company=company).first()
    if bom is None:
        raise NotFound("No such bill of materials.")
    Product.objects.select_for_update(no_key=True, of=("self",)).filter(pk=bom.product_id).first()
    check_no_cycle(company, bom.product_id, list(bom.lines.values_list("component_id", flat=True)))
    Bom.objects.filter(product_id=bom.product_id, is_active=True).exclude(pk=bom.pk).update(is_active=False)
    Bom.objects.filter(pk=bom.pk).update(is_active=True)
    bom.is_active = True
    audit.record(actor=actor, target=bom, action="activated")
    return bom


# Explosion ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentNeed:
    product: Any
    quantity: Decimal
    exploded_from: Any | None = None


@dataclass(frozen=True)
class OperationNeed:
    name: str
    work_centre: WorkCentre
    minutes_per_unit: Decimal
    setup_minutes: Decimal
    units: Decimal

    @property
    def minutes(self) -> Decimal:
        return self.setup_minutes + self.minutes_per_unit * self.units


@dataclass(frozen=True)
class ChildNeed:
    """A sub-assembly made by its own (child) production order: route make-to-order, not in stock."""

    product: Any
    quantity: Decimal
    bom: Bom


@dataclass
class Explosion:
    components: list[ComponentNeed] = field(default_factory=list)
    operations: list[OperationNeed] = field(default_factory=list)
    children: list[ChildNeed] = field(default_factory=list)


def component_need(line: BomLine, units: Decimal, output_quantity: Decimal) -> Decimal:
    """The component's quantity for ``units`` of output.

    Per-unit quantity × units × (1 + scrap %), converted to the component's unit and rounded up.
    """
    raw = line.quantity * units / output_quantity * (1 + line.scrap_percent / 100)
    return round_up(in_unit(raw, line.uom, line.component.uom), line.component.uom)


def explode(*, company: Company, bom: Bom, quantity: Decimal, location_id: int, level: int = 0) -> Explosion:
    """What making ``quantity`` from ``bom`` takes, level by level.

    A component with an active BoM of its own is taken from stock as far as stock is
    available in ``location_id``; the rest is made: by a child order when its route is make
    to order, otherwise exploded into this order (its components and operations join it).
    """
    if level > MAX_LEVELS:
        raise ValidationFailed(f"The product structure is deeper than {MAX_LEVELS} levels.", code="bom_too_deep")
    result = Explosion()
    for op in bom.operations.select_related("work_centre"):
        result.operations.append(OperationNeed(op.name, op.work_centre, op.minutes_per_unit, op.setup_minutes, quantity))
    lines = list(bom.lines.select_related("component__uom", "uom"))
    sub_boms = {
        b.product_id: b
        for b in Bom.objects.filter(company=company, is_active=True, product_id__in=[line.component_id for line in lines])
    }
    for line in lines:
        need = component_need(line, quantity, bom.output_quantity)
        sub = sub_boms.get(line.component_id)
        if sub is None:
            result.components.append(ComponentNeed(line.component, need))
            continue
        level_now = inventory_selectors.stock_level(
            user=None, company=company, product_id=line.component_id, location_id=location_id
        )
        from_stock = min(max(level_now.available, ZERO), need)
        shortfall = need - from_stock
        if shortfall <= 0:
            result.components.append(ComponentNeed(line.component, need))
        elif route_of(company=company, product_id=line.component_id) == ProductRoute.Route.MAKE_TO_ORDER:
            result.components.append(ComponentNeed(line.component, need))
            result.children.append(ChildNeed(line.component, shortfall, sub))
        else:
            if from_stock > 0:
                result.components.append(ComponentNeed(line.component, from_stock))
            deeper = explode(company=company, bom=sub, quantity=shortfall, location_id=location_id, level=level + 1)
            result.components += [
                ComponentNeed(c.product, c.quantity, c.exploded_from or line.component) for c in deeper.components
            ]
            result.operations += deeper.operations
            result.children += deeper.children
    return result
