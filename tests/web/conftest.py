from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def clean_cache(db):
    # Login throttling counts in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(client):
    """Log a user in through the login form and return the client."""

    def _login(user, password=PASSWORD):
        response = client.post("/login/", {"email": user.email, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return _login
