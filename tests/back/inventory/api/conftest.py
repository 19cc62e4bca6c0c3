from __future__ import annotations

import pytest
from django.test import Client

from spona.core import services


@pytest.fixture
def api_as(company):
    """A test client that calls the API with a fresh write token of ``user`` in its company."""

    def make(user, *, in_company=None, scope="write"):
        _, plaintext = services.token_create(actor=user, company=in_company or company, name="tests", scope=scope)
        return Client(headers={"Authorization": f"Bearer {plaintext}"})

    return make
