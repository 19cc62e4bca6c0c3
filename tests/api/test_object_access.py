"""SEC1: every endpoint × {anonymous, portal user, staff without the role, another company} → 401/403/404, no data.

The cases come from the API's route registry (its OpenAPI schema), so an endpoint is covered
the day it is added; one that takes a body needs a sample body below, or this test fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from spona.api.main import api
from spona.core import services
from spona.core.models import EventDelivery, Membership, Party, PersonalAccessToken, Relationship
from tests import access
from tests.api.conftest import API
from tests.factories import dead_letter, member, party

SENTINEL = "Sentinel Victim"
SAFE = {"get", "head", "options"}

# A valid body per operation that takes one; ``ids`` are the victim company's records.
SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "update_company": lambda ids: {"name": "Taken Over"},
    "create_user": lambda ids: {"email": "intruder@example.com", "full_name": "Intruder", "roles": ["admin"]},
    "set_user_roles": lambda ids: {"roles": ["admin"]},
    "create_party": lambda ids: {"kind": "organisation", "name": "Planted"},
    "update_party": lambda ids: {"version": 1, "name": "Renamed"},
    "merge_party": lambda ids: {"merge_id": ids["other_party_id"]},
    "create_party_link": lambda ids: {"to_party_id": ids["other_party_id"], "kind": "partner_of"},
    "create_token": lambda ids: {"name": "stolen", "scope": "write"},
    **access.SAMPLE_BODIES,
}


def routes() -> list[tuple[str, str, str]]:
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    return [(method, path, op["operationId"]) for path, item in schema["paths"].items() for method, op in item.items()]


ROUTES = routes()


@pytest.fixture
def victim(company, admin) -> dict[str, int]:
    """The company under attack, with one record of every kind an endpoint can name."""
    sales = member(company, "sales", full_name=f"{SENTINEL} Seller")
    target = party(company, f"{SENTINEL} Party", emails=["secret@victim.example"], roles=["customer"])
    other = party(company, f"{SENTINEL} Partner")
    link = services.party_link(actor=admin, company=company, from_party_id=target.pk, to_party_id=other.pk, kind="partner_of")
    token, _ = services.token_create(actor=admin, company=company, name=f"{SENTINEL} token", scope="write")
    delivery = dead_letter(target, SENTINEL)
    return {
        "company_id": company.pk,
        "party_id": target.pk,
        "other_party_id": other.pk,
        "user_id": sales.pk,
        "link_id": link.pk,
        "token_id": token.pk,
        "delivery_id": delivery.pk,
        **access.records(company),
    }


def call(client: Client, method: str, path: str, operation_id: str, ids: dict[str, int]):
    url = path.format(**ids)
    if method in SAFE:
        return client.generic(method.upper(), url)
    body = SAMPLE_BODIES[operation_id](ids) if operation_id in SAMPLE_BODIES else None
    if body and any(hasattr(value, "read") for value in body.values()):
        return getattr(client, method)(url, body)  # a file upload goes as multipart
    return getattr(client, method)(url, body, content_type="application/json")


def assert_untouched(company, victim: dict[str, int]) -> None:
    assert Party.objects.get(pk=victim["party_id"]).name == f"{SENTINEL} Party"
    assert Party.objects.get(pk=victim["other_party_id"]).merged_into_id is None
    assert Relationship.objects.filter(pk=victim["link_id"]).exists()
    assert PersonalAccessToken.objects.get(pk=victim["token_id"]).revoked_at is None
    assert EventDelivery.objects.get(pk=victim["delivery_id"]).status == EventDelivery.Status.DEAD
    assert sorted(Membership.objects.filter(user_id=victim["user_id"]).values_list("role", flat=True)) == ["sales"]
    company.refresh_from_db()
    assert company.name == "Acme d.o.o."
    assert not Party.objects.filter(company=company, name="Planted").exists()
    access.assert_untouched(victim)


def test_every_operation_that_takes_a_body_has_a_sample():
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    with_body = {op["operationId"] for item in schema["paths"].values() for op in item.values() if "requestBody" in op}
    assert with_body == set(SAMPLE_BODIES)


def test_anonymous_callers_get_401_everywhere(company, victim):
    client = Client()
    for method, path, operation_id in ROUTES:
        response = call(client, method, path, operation_id, victim)
        assert response.status_code == 401, (method, path, response.content)
        assert SENTINEL.encode() not in response.content
    assert_untouched(company, victim)


def test_a_portal_user_of_another_customer_gets_403_everywhere(company, victim):
    # given a customer's portal user, signed in to the site
    customer = party(company, "Some Customer")
    portal = member(company, "portal", party=customer)
    client = Client()
    client.force_login(portal)
    for method, path, operation_id in ROUTES:
        response = call(client, method, path, operation_id, victim)
        assert response.status_code == 403, (method, path, response.content)
        assert SENTINEL.encode() not in response.content
    assert_untouched(company, victim)


def test_another_companys_administrator_finds_nothing(company, other_company, victim, api_as):
    # given the administrator of another company, with a write token there
    client = api_as(member(other_company, "admin"), in_company=other_company)
    checked = 0
    for method, path, operation_id in ROUTES:
        response = call(client, method, path, operation_id, victim)
        # then naming one of our records answers 403/404, and no answer carries our data
        if "{" in path:
            assert response.status_code in (403, 404), (method, path, response.content)
            checked += 1
        assert response.status_code < 500
        assert SENTINEL.encode() not in response.content, (method, path)
    assert checked >= 14
    assert_untouched(company, victim)


def test_staff_without_the_role_cannot_change_or_administer(company, victim, api_as):
    # given an IT member: staff, but with no role that changes parties or administers the company
    client = api_as(member(company, "it"))
    for method, path, operation_id in ROUTES:
        response = call(client, method, path, operation_id, victim)
        own_tokens = path.startswith(f"{API}/tokens")
        # administration, and every department's API (IT holds none of those roles) but what any staff may read
        administration = path.startswith((f"{API}/users", f"{API}/events")) or (
            path.startswith(tuple(f"{API}/{group}" for group in access.API_GROUPS))
            and not path.startswith(tuple(f"{API}{readable}" for readable in access.STAFF_READABLE))
        )
        personal = access.PERSONAL.get((method, path.removeprefix(API)))
        if own_tokens:
            # their own list; no token minted with a token; the administrator's token is not theirs
            assert response.status_code == {"get": 200, "post": 403, "delete": 404}[method], (method, path, response.content)
        elif personal is not None:
            # their own things (their notifications, their preferences); the victim's are not theirs
            assert response.status_code == personal, (method, path, response.content)
        elif method not in SAFE or administration:
            assert response.status_code == 403, (method, path, response.content)
        else:
            assert response.status_code == 200, (method, path, response.content)
    assert_untouched(company, victim)
