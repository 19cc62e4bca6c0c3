"""SEC1 for the finance router: every finance route × {anonymous, portal user, staff without a finance role, another company}.

The routes come from the API's schema, so a finance endpoint is covered the day it is added.
"""

from __future__ import annotations

import pytest
from django.test import Client

from spona.api.main import api
from tests.back.finance.api.access import SAMPLE_BODIES, SENTINEL, assert_untouched, records
from tests.factories import member, party

API = "/api/v1"
SAFE = {"get", "head", "options"}


def finance_routes() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    return [
        (method, path, op["operationId"])
        for path, item in schema["paths"].items()
        if path.startswith(f"{API}/finance/")
        for method, op in item.items()
    ]


ROUTES = finance_routes()


@pytest.fixture
def victim(company):
    return records(company)


def call(client: Client, method: str, path: str, operation_id: str, ids: dict[str, int]):
    url = path.format(**ids)
    if method in SAFE:
        return client.generic(method.upper(), url)
    body = SAMPLE_BODIES[operation_id](ids) if operation_id in SAMPLE_BODIES else None
    if body and any(hasattr(value, "read") for value in body.values()):
        return getattr(client, method)(url, body)  # a file upload goes as multipart
    return getattr(client, method)(url, body, content_type="application/json")


def test_the_finance_router_is_registered_and_every_body_has_a_sample():
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    with_body = {op["operationId"] for p, item in schema["paths"].items() for op in item.values() if "requestBody" in op}
    assert len(ROUTES) == 32
    assert {op for _, p, op in ROUTES if op in with_body} == set(SAMPLE_BODIES)


@pytest.mark.parametrize("who", ["anonymous", "portal", "it", "sales"])
def test_outsiders_in_the_company_get_401_or_403_everywhere(client, company, victim, api_as, who):
    if who == "anonymous":
        caller, expected = Client(), 401
    elif who == "portal":
        caller, expected = Client(), 403
        caller.force_login(member(company, "portal", party=party(company, "Some Customer")))
    else:
        caller, expected = api_as(member(company, who)), 403
    for method, path, operation_id in ROUTES:
        response = call(caller, method, path, operation_id, victim)
        assert response.status_code == expected, (who, method, path, response.content)
        assert SENTINEL.encode() not in response.content
    assert_untouched(victim)


def test_another_companys_finance_staff_finds_nothing(company, other_company, victim, api_as):
    # given a finance user of another company with a ledger of its own
    records(other_company, label="Globex")
    caller = api_as(member(other_company, "finance"), in_company=other_company)
    for method, path, operation_id in ROUTES:
        response = call(caller, method, path, operation_id, victim)
        # then naming one of our records answers 404, creating with our ids is refused, and nothing leaks
        if "{" in path:
            assert response.status_code == 404, (method, path, response.content)
        elif method not in SAFE:
            assert response.status_code in (404, 422), (method, path, response.content)
        elif path.endswith(("/general-ledger", "/journal-audit")):
            assert response.status_code == 422  # which account or journal is a required parameter
        else:
            assert response.status_code == 200, (method, path, response.content)
        assert SENTINEL.encode() not in response.content, (method, path)
    assert_untouched(victim)
