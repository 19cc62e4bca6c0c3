"""Contract of /companies, /users, /tokens and /events: administrators' and personal endpoints."""

from __future__ import annotations

from django.test import Client

from spona.core import services
from spona.core.models import AuditEntry, Company, EventDelivery, Membership, PersonalAccessToken, User
from tests.api.conftest import API, assert_problem
from tests.factories import dead_letter, member, party

JSON = "application/json"


# Companies


def test_companies_lists_mine_and_hides_others(company, other_company, admin, api_as):
    client = api_as(admin)
    assert [c["code"] for c in client.get(f"{API}/companies").json()] == ["acme"]
    assert client.get(f"{API}/companies/{company.pk}").json()["base_currency"] == "EUR"
    assert_problem(client.get(f"{API}/companies/{other_company.pk}"), 404)
    assert_problem(client.patch(f"{API}/companies/{other_company.pk}", {"name": "Mine"}, content_type=JSON), 404)


def test_a_token_sees_only_its_own_company(company, other_company, admin):
    # given an admin of two companies, signed in, and with a token for one
    Membership.objects.create(user=admin, company=other_company, role="admin")
    session = Client()
    session.force_login(admin)
    _, plaintext = services.token_create(actor=admin, company=company, name="t", scope="read")
    token = Client(headers={"Authorization": f"Bearer {plaintext}"})
    # then the session lists both, the token only its company
    assert sorted(c["code"] for c in session.get(f"{API}/companies").json()) == ["acme", "globex"]
    assert [c["code"] for c in token.get(f"{API}/companies").json()] == ["acme"]
    assert_problem(token.get(f"{API}/companies/{other_company.pk}"), 404)


def test_an_administrator_changes_company_settings(company, admin, sales, api_as):
    changes = {"name": "Acme Group", "fiscal_year_start_month": 4, "rounding": "half_even"}
    assert_problem(api_as(sales).patch(f"{API}/companies/{company.pk}", changes, content_type=JSON), 403)
    response = api_as(admin).patch(f"{API}/companies/{company.pk}", changes, content_type=JSON)
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["fiscal_year_start_month"]) == ("Acme Group", 4)
    body = assert_problem(api_as(admin).patch(f"{API}/companies/{company.pk}", {"base_currency": "XYZ"}, content_type=JSON), 422)
    assert "base_currency" in body["errors"]


def test_company_code_and_state_cannot_be_set(company, admin, api_as):
    body = assert_problem(
        api_as(admin).patch(f"{API}/companies/{company.pk}", {"code": "evil", "is_active": False}, content_type=JSON), 422
    )
    assert set(body["errors"]) == {"code", "is_active"}
    company.refresh_from_db()
    assert (company.code, company.is_active) == ("acme", True)


# Users


def test_administrators_manage_users(company, admin, api_as):
    client = api_as(admin)
    # when an administrator creates a user
    response = client.post(
        f"{API}/users", {"email": "Nina@Acme.test", "full_name": "Nina Novak", "roles": ["sales", "support"]}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    nina = response.json()
    assert (nina["email"], nina["roles"], nina["is_active"]) == ("nina@acme.test", ["sales", "support"], True)
    # then they can change her roles, deactivate and reactivate her
    response = client.patch(f"{API}/users/{nina['id']}/roles", {"roles": ["finance"]}, content_type=JSON)
    assert response.json()["roles"] == ["finance"]
    assert client.post(f"{API}/users/{nina['id']}/deactivate").json()["is_active"] is False
    assert client.post(f"{API}/users/{nina['id']}/activate").json()["is_active"] is True
    # and she is on the list with her roles in this company
    listed = {u["email"]: u["roles"] for u in client.get(f"{API}/users").json()["items"]}
    assert listed == {"admin@acme.test": ["admin"], "nina@acme.test": ["finance"]}
    assert AuditEntry.objects.filter(target_type="core.user", target_id=str(nina["id"])).count() == 4


def test_user_endpoints_need_an_administrator(company, admin, sales, api_as):
    client = api_as(sales)
    assert_problem(client.get(f"{API}/users"), 403)
    assert_problem(
        client.post(f"{API}/users", {"email": "x@acme.test", "full_name": "X", "roles": ["admin"]}, content_type=JSON), 403
    )
    assert_problem(client.patch(f"{API}/users/{sales.pk}/roles", {"roles": ["admin"]}, content_type=JSON), 403)
    assert_problem(client.post(f"{API}/users/{admin.pk}/deactivate"), 403)
    assert sorted(Membership.objects.filter(user=sales).values_list("role", flat=True)) == ["sales"]


def test_another_companys_user_is_not_found(company, other_company, admin, api_as):
    theirs = member(other_company, "sales")
    client = api_as(admin)
    assert_problem(client.patch(f"{API}/users/{theirs.pk}/roles", {"roles": ["admin"]}, content_type=JSON), 404)
    assert_problem(client.post(f"{API}/users/{theirs.pk}/deactivate"), 404)
    assert User.objects.get(pk=theirs.pk).is_active


def test_user_input_is_validated(company, admin, api_as):
    client = api_as(admin)
    body = assert_problem(
        client.post(f"{API}/users", {"email": "x", "full_name": "X", "roles": ["king"]}, content_type=JSON), 422
    )
    assert "roles.0" in body["errors"]
    body = assert_problem(
        client.post(f"{API}/users", {"email": "bad", "full_name": "X", "roles": ["sales"]}, content_type=JSON), 422
    )
    assert "email" in body["errors"]
    forged = {"email": "y@acme.test", "full_name": "Y", "roles": ["sales"], "is_superuser": True, "is_staff": True}
    body = assert_problem(client.post(f"{API}/users", forged, content_type=JSON), 422)
    assert set(body["errors"]) == {"is_superuser", "is_staff"}
    # a portal user needs a customer of this company
    customer = party(company, "Customer")
    response = client.post(
        f"{API}/users",
        {"email": "p@customer.test", "full_name": "P", "roles": ["portal"], "portal_party_id": customer.pk},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert Membership.objects.get(user__email="p@customer.test").party == customer


# Tokens


def test_tokens_are_created_in_a_session_and_shown_once(company, sales):
    session = Client()
    session.force_login(sales)
    # when a signed-in user creates a token
    response = session.post(f"{API}/tokens", {"name": "nightly export", "scope": "read"}, content_type=JSON)
    assert response.status_code == 201, response.content
    created = response.json()
    # then the answer carries the token, the list never does
    assert created["token"].startswith("spona_pat_")
    listed = session.get(f"{API}/tokens").json()
    assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]
    # and the token works until it is revoked
    program = Client(headers={"Authorization": f"Bearer {created['token']}"})
    assert program.get(f"{API}/parties").status_code == 200
    assert session.delete(f"{API}/tokens/{created['id']}").status_code == 204
    assert_problem(program.get(f"{API}/parties"), 401)
    assert session.get(f"{API}/tokens").json()[0]["revoked_at"] is not None


def test_a_token_cannot_mint_tokens(company, sales, api_as):
    response = api_as(sales).post(f"{API}/tokens", {"name": "more"}, content_type=JSON)
    assert_problem(response, 403, "session_required")
    assert PersonalAccessToken.objects.count() == 1


def test_token_input_is_validated(company, sales):
    session = Client()
    session.force_login(sales)
    past = {"name": "old", "expires_at": "2000-01-01T00:00:00Z"}
    assert "expires_at" in assert_problem(session.post(f"{API}/tokens", past, content_type=JSON), 422)["errors"]
    naive = {"name": "naive", "expires_at": "2099-01-01T00:00:00"}
    assert "expires_at" in assert_problem(session.post(f"{API}/tokens", naive, content_type=JSON), 422)["errors"]
    forged = {"name": "x", "user": 1, "token_hash": "0" * 64, "revoked_at": None}
    assert set(assert_problem(session.post(f"{API}/tokens", forged, content_type=JSON), 422)["errors"]) == {
        "user",
        "token_hash",
        "revoked_at",
    }


def test_nobody_sees_or_revokes_another_persons_token(company, admin, sales, api_as):
    theirs, _ = services.token_create(actor=sales, company=company, name="sales tool", scope="read")
    client = api_as(admin)
    assert [t["name"] for t in client.get(f"{API}/tokens").json()] == ["tests"]
    assert_problem(client.delete(f"{API}/tokens/{theirs.pk}"), 404)
    assert PersonalAccessToken.objects.get(pk=theirs.pk).revoked_at is None


# Event dead letters


def _dead_letter(company: Company) -> EventDelivery:
    return dead_letter(party(company, "Event Source"))


def test_administrators_list_and_replay_dead_letters(company, admin, api_as):
    delivery = _dead_letter(company)
    client = api_as(admin)
    listed = client.get(f"{API}/events/dead-letters").json()
    assert [(d["id"], d["event_name"], d["status"], d["last_error"]) for d in listed] == [
        (delivery.pk, "core.party_created", "dead", "boom")
    ]
    response = client.post(f"{API}/events/deliveries/{delivery.pk}/replay")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    assert client.get(f"{API}/events/dead-letters").json() == []


def test_dead_letters_are_for_administrators_of_the_company(company, other_company, sales, api_as):
    delivery = _dead_letter(company)
    assert_problem(api_as(sales).get(f"{API}/events/dead-letters"), 403)
    assert_problem(api_as(sales).post(f"{API}/events/deliveries/{delivery.pk}/replay"), 403)
    stranger = api_as(member(other_company, "admin"), in_company=other_company)
    assert stranger.get(f"{API}/events/dead-letters").json() == []
    assert_problem(stranger.post(f"{API}/events/deliveries/{delivery.pk}/replay"), 404)
    assert EventDelivery.objects.get(pk=delivery.pk).status == EventDelivery.Status.DEAD
