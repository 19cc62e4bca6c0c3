from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def clean_cache(db):
    # The public form's rate limit counts in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()
