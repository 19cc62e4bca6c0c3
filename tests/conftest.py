from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import CompanyFactory, member


@pytest.fixture
def company(db):
    return CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Globex Ltd", code="globex", country="GB", base_currency="GBP")


@pytest.fixture
def admin(company):
    return member(company, "admin", full_name="Ana Admin", email="admin@acme.test")


@pytest.fixture
def sales(company):
    return member(company, "sales", full_name="Sava Sales", email="sales@acme.test")


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrency with separate connections (QUALITY C/N tests)")
