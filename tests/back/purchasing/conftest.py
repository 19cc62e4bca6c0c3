from __future__ import annotations

import pytest

from tests.back.purchasing.helpers import Setting, setting


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def world(company) -> Setting:
    """A company with its ledger, a warehouse, bolts sold by one supplier with two price breaks."""
    return setting(company)
