"""Production records to attack and sample bodies for the SEC1 matrices (pages and API) and the A1 fuzzer."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import spona.back.inventory.services as inventory
from spona.back.production import services
from spona.back.production.models import Bom, ProductionOrder, ProductRoute, WorkCentre
from spona.core.models import Company

SENTINEL = "Sentinel Victim"
API_GROUP = "production"
PK_OF = {
    "production:order_": "production_order_id",
    "production:bom_": "bom_id",
    "production:work_centre_": "work_centre_id",
}


def records(company: Company, label: str = SENTINEL) -> dict[str, int]:
    """A work centre, a BoM of an assembled product and a draft production order; return their ids."""
    count = inventory.uom_category_create(actor=None, company=company, name=f"{label} MO count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name=f"{label} MO pcs", rounding=D(1))
    part = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name=f"{label} Part", sku="SENTINEL-MO-PART", uom_id=unit.pk)
    )
    made = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name=f"{label} Assembly", sku="SENTINEL-MO", uom_id=unit.pk)
    )
    warehouse = inventory.warehouse_create(actor=None, company=company, code="VMO", name=f"{label} Plant")
    centre = services.work_centre_create(
        actor=None, company=company, data=services.WorkCentreInput(code="VICTIM", name=f"{label} Bench")
    )
    bom = services.bom_create(
        actor=None,
        company=company,
        data=services.BomInput(
            product_id=made.pk,
            lines=[services.BomLineInput(product_id=part.pk, quantity=D(2))],
            operations=[services.BomOperationInput(name="Assemble", work_centre_id=centre.pk, minutes_per_unit=D(5))],
        ),
    )
    order = services.production_order_create(
        actor=None, company=company, product_id=made.pk, quantity=D(3), warehouse_id=warehouse.pk, reference=label
    )
    return {
        "production_order_id": order.pk,
        "bom_id": bom.pk,
        "work_centre_id": centre.pk,
        "mo_product_id": made.pk,
        "mo_part_id": part.pk,
        "mo_warehouse_id": warehouse.pk,
    }


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_production_work_centre": lambda ids: {"code": "EVIL", "name": "Planted"},
    "update_production_work_centre": lambda ids: {"code": "VICTIM", "name": "Renamed", "version": 1},
    "set_production_route": lambda ids: {"product_id": ids["mo_product_id"], "route": "buy"},
    "create_production_bom": lambda ids: {
        "product_id": ids["mo_product_id"],
        "lines": [{"product_id": ids["mo_part_id"], "quantity": "9"}],
    },
    "create_production_order": lambda ids: {
        "product_id": ids["mo_product_id"],
        "quantity": "7",
        "warehouse_id": ids["mo_warehouse_id"],
    },
    "produce_production_order": lambda ids: {"quantity": "1"},
}


def assert_untouched(victim: dict[str, int]) -> None:
    """The victim's order, BoM, work centre and route are as they were; nothing was planted."""
    order = ProductionOrder.objects.get(pk=victim["production_order_id"])
    assert (order.state, order.version, order.produced_quantity) == ("draft", 1, 0)
    assert ProductionOrder.objects.filter(product_id=victim["mo_product_id"]).count() == 1
    centre = WorkCentre.objects.get(pk=victim["work_centre_id"])
    assert (centre.name, centre.version) == (f"{SENTINEL} Bench", 1)
    assert not WorkCentre.objects.filter(company_id=centre.company_id, code="EVIL").exists()
    assert list(Bom.objects.filter(product_id=victim["mo_product_id"]).values_list("pk", flat=True)) == [victim["bom_id"]]
    assert not ProductRoute.objects.filter(product_id=victim["mo_product_id"]).exists()
