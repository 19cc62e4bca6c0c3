"""Inventory records to attack and sample bodies for the API's route matrix (QUALITY SEC1) and fuzzer (A1).

``tests/api/test_object_access.py`` and ``tests/api/test_schemathesis.py`` take the inventory
routes' path ids and bodies from here, so that they cover the inventory router like the kernel's.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from spona.back.inventory import services
from spona.back.inventory.models import Product, ProductCategory, Reservation, Transfer, Warehouse
from spona.core.models import Company

SENTINEL = "Sentinel Victim"
API_GROUP = "inventory"
PK_OF = {
    "inventory:product_": "product_id",
    "inventory:transfer_": "transfer_id",
    "inventory:count_": "stock_location_id",
    "inventory:category_": "product_category_id",
}


def records(company: Company, label: str = SENTINEL) -> dict[str, int]:
    """A warehouse with stock of a product, a draft delivery and an open reservation; return their ids."""
    count = services.uom_category_create(actor=None, company=company, name=f"{label} Count")
    unit = services.uom_create(actor=None, company=company, category_id=count.pk, name=f"{label} pcs", rounding=D(1))
    category = services.category_create(actor=None, company=company, name=f"{label} Category")
    product = services.product_create(
        actor=None,
        company=company,
        data=services.ProductInput(name=f"{label} Product", sku="SENTINEL-1", uom_id=unit.pk, category_id=category.pk),
    )
    warehouse = services.warehouse_create(actor=None, company=company, code="VWH", name=f"{label} Warehouse")
    receipt = services.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        reference=label,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=D(10))],
    )
    services.transfer_validate(actor=None, company=company, transfer_id=receipt.pk)
    delivery = services.transfer_create(
        actor=None,
        company=company,
        kind="delivery",
        warehouse_id=warehouse.pk,
        reference=label,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=D(2))],
    )
    reservation = services.reservation_create(
        actor=None,
        company=company,
        product_id=product.pk,
        location_id=warehouse.stock_location_id,
        quantity=D(1),
        reference=label,
    )
    return {
        "product_id": product.pk,
        "product_category_id": category.pk,
        "unit_id": unit.pk,
        "warehouse_id": warehouse.pk,
        "stock_location_id": warehouse.stock_location_id,
        "transfer_id": delivery.pk,
        "reservation_id": reservation.pk,
    }


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_inventory_product": lambda ids: {"name": "Planted", "sku": "PLANTED", "uom_id": ids["unit_id"]},
    "update_inventory_product": lambda ids: {"name": "Renamed", "sku": "SENTINEL-1", "uom_id": ids["unit_id"], "version": 1},
    "create_inventory_transfer": lambda ids: {
        "kind": "receipt",
        "warehouse_id": ids["warehouse_id"],
        "lines": [{"product_id": ids["product_id"], "quantity": "5"}],
    },
    "validate_inventory_transfer": lambda ids: {},
    "create_inventory_reservation": lambda ids: {
        "product_id": ids["product_id"],
        "location_id": ids["stock_location_id"],
        "quantity": "1",
        "reference": "Stolen",
    },
    "release_inventory_reservation": lambda ids: {},
    "create_inventory_warehouse": lambda ids: {"code": "EVIL", "name": "Planted"},
    "create_inventory_category": lambda ids: {"name": "Planted", "parent_id": ids["product_category_id"]},
    "update_inventory_category": lambda ids: {"name": "Renamed", "parent_id": None, "costing_method": "fifo"},
    "open_inventory_valuation": lambda ids: {},
}


def assert_untouched(victim: dict[str, int]) -> None:
    """The victim's product, category, transfer and reservation are as they were; nothing was planted."""
    product = Product.objects.get(pk=victim["product_id"])
    category = ProductCategory.objects.get(pk=victim["product_category_id"])
    assert (category.name, category.costing_method) == (f"{SENTINEL} Category", "average")
    assert (product.name, product.version) == (f"{SENTINEL} Product", 1)
    assert Transfer.objects.get(pk=victim["transfer_id"]).state == "draft"
    assert Reservation.objects.get(pk=victim["reservation_id"]).state == "open"
    assert Reservation.objects.filter(product_id=victim["product_id"]).count() == 1
    assert not Warehouse.objects.filter(company_id=product.company_id, code="EVIL").exists()
    assert not Product.objects.filter(company_id=product.company_id, sku="PLANTED").exists()
    assert not ProductCategory.objects.filter(company_id=product.company_id, name="Planted").exists()
