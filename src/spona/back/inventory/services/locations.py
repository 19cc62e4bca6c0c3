"""Warehouses and the location tree, and the company's virtual locations."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from spona.back.inventory.models import Location, Warehouse
from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import require

VIRTUAL_NAMES = {
    Location.Kind.SUPPLIER: "Suppliers",
    Location.Kind.CUSTOMER: "Customers",
    Location.Kind.PRODUCTION: "Production",
    Location.Kind.INVENTORY_LOSS: "Inventory loss",
    Location.Kind.TRANSIT: "Transit",
}


def _save_in_tree(location: Location) -> Location:
    """Insert a location and give it its path and full name from its parent."""
    location.save()
    parent = location.parent
    location.path = f"{parent.path if parent else '/'}{location.pk}/"
    location.full_name = f"{parent.full_name}/{location.name}" if parent else location.name
    location.save(update_fields=["path", "full_name"])
    return location


def virtual_location(company: Company, kind: str) -> Location:
    """Return the company's virtual location of ``kind``, creating it the first time.

    There is one of each per company (a database constraint); two transactions creating it at
    once both end with the same row.
    """
    if kind not in Location.VIRTUAL:
        raise ValueError(f"{kind} is not a virtual location kind.")
    found = Location.objects.filter(company=company, kind=kind).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _save_in_tree(Location(company=company, kind=kind, name=VIRTUAL_NAMES[kind]))
    except IntegrityError:
        return Location.objects.get(company=company, kind=kind)


# No savepoint of its own: every transfer asks, and each missing location is made in one already.
@transaction.atomic(savepoint=False)
def locations_setup(*, company: Company) -> dict[str, Location]:
    """Create the company's virtual locations (suppliers, customers, production, loss, transit) once.

    One read finds those that exist (every transfer asks); only a missing one is created.
    """
    found = {location.kind: location for location in Location.objects.filter(company=company, kind__in=Location.VIRTUAL)}
    return {kind: found[kind] if kind in found else virtual_location(company, kind) for kind in Location.VIRTUAL}


@transaction.atomic
def warehouse_create(*, actor: User | None, company: Company, code: str, name: str, address_id: int | None = None) -> Warehouse:
    """Open a warehouse with its location tree: CODE (view) above CODE/Stock, CODE/Input, CODE/Output.

    Raises ValidationFailed for an empty or duplicate code or a name missing; NotFound for an
    address party outside the company.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    code, name = (code or "").strip().upper(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code or len(code) > 10 or "/" in code:
        errors["code"] = ["Give a short code (up to 10 characters, no slash), e.g. WH."]
    elif Warehouse.objects.filter(company=company, code=code).exists():
        errors["code"] = [f"A warehouse with code {code} exists already."]
    if not name:
        errors["name"] = ["Give the warehouse a name."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    address = None
    if address_id is not None:
        address = Party.objects.filter(pk=address_id, company=company).first()
        if address is None:
            raise NotFound("No such party for the address.")
    locations_setup(company=company)
    warehouse = Warehouse.objects.create(company=company, code=code, name=name, address=address)
    view = _save_in_tree(Location(company=company, warehouse=warehouse, kind=Location.Kind.VIEW, name=code))
    children = {
        part: _save_in_tree(Location(company=company, warehouse=warehouse, kind=Location.Kind.INTERNAL, name=part, parent=view))
        for part in ("Stock", "Input", "Output")
    }
    warehouse.view_location = view
    warehouse.stock_location = children["Stock"]
    warehouse.input_location = children["Input"]
    warehouse.output_location = children["Output"]
    warehouse.save(update_fields=["view_location", "stock_location", "input_location", "output_location", "updated_at"])
    audit.record(actor=actor, target=warehouse, action="created")
    return warehouse


@transaction.atomic
def location_create(
    *, actor: User | None, company: Company, parent_id: int, name: str, kind: str = Location.Kind.INTERNAL, barcode: str = ""
) -> Location:
    """Add a location (a zone, an aisle, a shelf) under an internal or view location of a warehouse.

    Virtual locations are the company's and made by ``locations_setup``; they cannot be added here.
    """
    if actor is not None:
        require(actor, "inventory.manage", company)
    parent = Location.objects.filter(pk=parent_id, company=company).first()
    if parent is None:
        raise NotFound("No such location.")
    errors: dict[str, list[str]] = {}
    if parent.kind not in (Location.Kind.INTERNAL, Location.Kind.VIEW) or parent.warehouse_id is None:
        errors["parent"] = ["Locations are added inside a warehouse's internal or view locations."]
    if kind not in (Location.Kind.INTERNAL, Location.Kind.VIEW):
        errors["kind"] = ["Only internal and view locations can be added to a warehouse."]
    name, barcode = (name or "").strip(), (barcode or "").strip()
    if not name or "/" in name:
        errors["name"] = ["Give the location a name without a slash."]
    elif Location.objects.filter(parent=parent, name=name).exists():
        errors["name"] = [f"{parent.full_name} already has a location called {name}."]
    if barcode and Location.objects.filter(company=company, barcode=barcode).exists():
        errors["barcode"] = ["Another location has this barcode."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    location = _save_in_tree(
        Location(company=company, warehouse_id=parent.warehouse_id, parent=parent, kind=kind, name=name[:100], barcode=barcode)
    )
    audit.record(actor=actor, target=location, action="created")
    return location
