from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from spona.core import services
from spona.core.models import Company, User

API = "/api/v1"


@pytest.fixture
def api_as(company: Company) -> Callable[..., Client]:
    """A test client that calls the API with a fresh personal access token of ``user``."""

    def make(user: User, *, scope: str = "write", in_company: Company | None = None) -> Client:
        _, plaintext = services.token_create(actor=user, company=in_company or company, name="tests", scope=scope)
        return Client(headers={"Authorization": f"Bearer {plaintext}"})

    return make


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """Check that an answer is problem JSON with this status (and code); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "code", "errors", "request_id"}
    assert body["status"] == status
    assert body["request_id"] == response["X-Request-ID"]
    if code is not None:
        assert body["code"] == code, body
    return body
