from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.api.conftest import api_as  # noqa: F401 (the API tests' token client, a fixture here too)
from tests.factories import member


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    # Attachments are written through Django storage; each test gets its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def clean_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(company):
    return member(company, "support", full_name="Sara Support", email="sara@acme.test")


@pytest.fixture
def agent2(company):
    return member(company, "support", full_name="Uroš Support", email="uros@acme.test")


@pytest.fixture
def lead_agent(company):
    return member(company, "management", full_name="Mira Manager", email="mira@acme.test")
