from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.finance import services as finance_services
from spona.back.inventory import services as inventory_services
from spona.bridge.imports.readers import read
from tests.factories import member


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def csv_table(text: str):
    """A file's table as the importers see it, from CSV text."""
    return read(text.encode())


@pytest.fixture
def units(company):
    count = inventory_services.uom_category_create(actor=None, company=company, name="Count")
    return {"unit": inventory_services.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))}


@pytest.fixture
def make_product(company, units):
    def make(sku: str, **fields):
        data = inventory_services.ProductInput(name=f"Product {sku}", sku=sku, uom_id=units["unit"].pk, **fields)
        return inventory_services.product_create(actor=None, company=company, data=data)

    return make


@pytest.fixture
def ledger(company):
    finance_services.ledger_setup(actor=None, company=company)
    return company


@pytest.fixture
def accountant(company):
    return member(company, "finance", full_name="Filip Finance", email="finance@acme.test")


@pytest.fixture
def clerk(company):
    return member(company, "operations", full_name="Olga Operations", email="ops@acme.test")
