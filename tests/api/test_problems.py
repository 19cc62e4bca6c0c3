"""Errors answer problem JSON everywhere, and every operation declares them (QUALITY A1)."""

from __future__ import annotations

from django.test import Client

from spona.api.main import api
from spona.core import selectors
from tests.api.conftest import API, assert_problem


def test_every_operation_declares_its_problem_responses():
    # given the published schema
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    # then every operation documents 401, 403, 422 and 500 as problem JSON, and POSTs the idempotency key
    assert len(operations) >= 20
    for path, method, op in operations:
        for status in (401, 403, 422, 500):
            content = op["responses"][status]["content"]
            assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}, (path, method)
        if "{" in path:
            assert 404 in op["responses"], (path, method)
        if method == "post":
            assert "Idempotency-Key" in [p["name"] for p in op["parameters"]], path
    assert schema["openapi"] == "3.1.0"
    assert "Problem" in schema["components"]["schemas"]


def test_unknown_address_and_method_answer_problems(company, admin, api_as):
    client = api_as(admin)
    assert_problem(client.get(f"{API}/no-such-thing"), 404, "not_found")
    assert_problem(client.get("/api/v2/parties"), 404, "not_found")
    response = client.put(f"{API}/parties", {}, content_type="application/json")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_invalid_input_names_the_fields(company, admin, api_as):
    # when the limit is out of range and the body has a wrong type
    body = assert_problem(api_as(admin).get(f"{API}/parties?limit=201"), 422, "validation_failed")
    # then the field is named as the client wrote it
    assert list(body["errors"]) == ["query.limit"]
    body = assert_problem(
        api_as(admin).post(f"{API}/parties", {"kind": "robot", "emails": "x"}, content_type="application/json"), 422
    )
    assert {"kind", "emails"} <= set(body["errors"])
    # a missing body is blamed on the body
    missing = api_as(admin).post(f"{API}/parties", b"null", content_type="application/json")
    assert list(assert_problem(missing, 422)["errors"]) == ["body"]
    # and a body that is not JSON at all is a bad request
    assert_problem(api_as(admin).post(f"{API}/parties", b"{not json", content_type="application/json"), 400)


def test_a_business_rule_refusal_keeps_its_code(company, admin, api_as):
    # when the only administrator removes their own admin role
    response = api_as(admin).patch(f"{API}/users/{admin.pk}/roles", {"roles": ["sales"]}, content_type="application/json")
    # then the service's refusal arrives with its status and code
    assert_problem(response, 400, "self_lockout")


def test_an_unexpected_error_answers_500_without_internals(company, admin, api_as, monkeypatch):
    # given a selector that fails in a way nobody planned for
    def broken(**kwargs):
        raise RuntimeError("secret detail: /srv/spona/settings.py line 42")

    monkeypatch.setattr(selectors, "party_list", broken)
    # when a client lists parties
    response = api_as(admin).get(f"{API}/parties")
    # then it gets a 500 problem that says nothing about the internals
    body = assert_problem(response, 500, "server_error")
    assert b"secret" not in response.content and b"Traceback" not in response.content
    assert body["errors"] == {}


def test_the_api_root_answers_a_problem_not_a_page(company):
    for path in (f"{API}/", f"{API}", "/api/"):
        assert_problem(Client().get(path), 404, "not_found")


def test_an_oversized_body_answers_413(company, admin, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_as(admin)
    big = {"kind": "organisation", "name": "X", "notes": "x" * 2000}
    assert_problem(client.post(f"{API}/parties", big, content_type="application/json"), 413, "too_large")
    keyed = client.post(f"{API}/parties", big, content_type="application/json", headers={"Idempotency-Key": "big-1"})
    assert_problem(keyed, 413, "too_large")
