from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.inventory import services
from tests.factories import member, party


@pytest.fixture
def clerk(company):
    return member(company, "operations", full_name="Olga Operations", email="ops@acme.test")


@pytest.fixture
def units(company):
    """Count (Units, Dozens) and weight (kg, g) units of the company."""
    count = services.uom_category_create(actor=None, company=company, name="Count")
    weight = services.uom_category_create(actor=None, company=company, name="Weight")
    return {
        "unit": services.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1)),
        "dozen": services.uom_create(
            actor=None, company=company, category_id=count.pk, name="Dozens", factor=D(12), rounding=D(1)
        ),
        "kg": services.uom_create(actor=None, company=company, category_id=weight.pk, name="kg", rounding=D("0.001")),
        "g": services.uom_create(actor=None, company=company, category_id=weight.pk, name="g", factor=D("0.001"), rounding=D(1)),
    }


@pytest.fixture
def warehouse(company):
    return services.warehouse_create(actor=None, company=company, code="WH", name="Main warehouse")


@pytest.fixture
def make_product(company, units):
    def make(sku: str = "P1", **fields):
        fields.setdefault("uom_id", units["unit"].pk)
        data = services.ProductInput(name=fields.pop("name", f"Product {sku}"), sku=sku, **fields)
        return services.product_create(actor=None, company=company, data=data)

    return make


@pytest.fixture
def product(make_product):
    return make_product("BOLT", cost_price=D("0.50"), sale_price=D("1.20"))


@pytest.fixture
def supplier(company):
    return party(company, "Supplies Ltd")


@pytest.fixture
def customer(company):
    return party(company, "Kupac d.o.o.")
