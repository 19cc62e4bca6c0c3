from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

import spona.back.inventory.services as inventory
from spona.back.production import services
from tests.factories import member

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def planner(company):
    return member(company, "operations", full_name="Petar Planner", email="planner@acme.test")


@pytest.fixture
def units(company):
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    weight = inventory.uom_category_create(actor=None, company=company, name="Weight")
    return {
        "unit": inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1)),
        "kg": inventory.uom_create(actor=None, company=company, category_id=weight.pk, name="kg", rounding=D("0.001")),
        "g": inventory.uom_create(actor=None, company=company, category_id=weight.pk, name="g", factor=D("0.001"), rounding=D(1)),
    }


@pytest.fixture
def warehouse(company):
    return inventory.warehouse_create(actor=None, company=company, code="WH", name="Main warehouse")


@pytest.fixture
def make_product(company, units):
    def make(sku: str, cost: str = "0", unit: str = "unit", **fields):
        data = inventory.ProductInput(
            name=fields.pop("name", f"Product {sku}"), sku=sku, uom_id=units[unit].pk, cost_price=D(cost), **fields
        )
        return inventory.product_create(actor=None, company=company, data=data)

    return make


@pytest.fixture
def stock(company, warehouse):
    """Receive quantities into the warehouse's stock at a unit cost."""

    def receive(product, quantity, unit_cost=None):
        transfer = inventory.transfer_create(
            actor=None,
            company=company,
            kind="receipt",
            warehouse_id=warehouse.pk,
            reference="initial stock",
            lines=[inventory.TransferLineIn(product_id=product.pk, quantity=D(quantity), unit_cost=unit_cost)],
        )
        return inventory.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)

    return receive


@pytest.fixture
def bench(company):
    return services.work_centre_create(
        actor=None,
        company=company,
        data=services.WorkCentreInput(code="ASM", name="Assembly bench", hours_per_day=D(8), cost_per_hour=D(30)),
    )


def _line(product, quantity, scrap="0", uom=None):
    return services.BomLineInput(
        product_id=product.pk, quantity=D(quantity), scrap_percent=D(scrap), uom_id=uom.pk if uom else None
    )


@pytest.fixture
def make_bom(company):
    def make(product, lines, *, output=D(1), operations=(), activate=True):
        data = services.BomInput(
            product_id=product.pk,
            output_quantity=output,
            lines=[_line(*line) for line in lines],
            operations=[
                services.BomOperationInput(name=name, work_centre_id=centre.pk, minutes_per_unit=D(per), setup_minutes=D(setup))
                for name, centre, per, setup in operations
            ],
        )
        return services.bom_create(actor=None, company=company, data=data, activate=activate)

    return make


@pytest.fixture
def stool(make_product, make_bom, bench):
    """A stool: 1 seat, 3 legs (5 % scrap), 12 screws; assembly 10 min each + 30 min setup."""
    parts = {
        "seat": make_product("SEAT", "8.00"),
        "leg": make_product("LEG", "2.00"),
        "screw": make_product("SCREW", "0.05"),
        "stool": make_product("STOOL", "0"),
    }
    parts["bom"] = make_bom(
        parts["stool"],
        [(parts["seat"], "1"), (parts["leg"], "3", "5"), (parts["screw"], "12")],
        operations=[("Assemble", bench, "10", "30")],
    )
    return parts


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def login(client):
    """Log a user in and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
