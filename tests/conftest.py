from __future__ import annotations

import pytest
from django.db import connection

from tests.database import database_from_template
from tests.factories import CompanyFactory, member


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's set-up, but starting from a copy of the migrated template (tests/database.py)."""
    from django.test.utils import setup_databases, teardown_databases

    with database_from_template():
        with django_db_blocker.unblock():
            config = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=True)
        yield
        with django_db_blocker.unblock():
            # database_from_template removes the copy (file or database) itself.
            teardown_databases(config, verbosity=request.config.option.verbose, keepdb=True)


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
