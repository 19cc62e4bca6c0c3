"""Who may call the API: tokens (hash only, scope, expiry, revocation), sessions (CSRF), companies."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from spona.core import services
from spona.core.models import Membership, PersonalAccessToken
from tests.api.conftest import API, assert_problem
from tests.factories import member, party

NEW_PARTY = {"kind": "organisation", "name": "Kapija d.o.o."}


def bearer(plaintext: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {plaintext}"})


def test_anonymous_calls_answer_401_with_a_challenge(company):
    response = Client().get(f"{API}/parties")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_problem(Client().post(f"{API}/parties", NEW_PARTY, content_type="application/json"), 401)


def test_only_the_hash_of_a_token_is_stored(company, sales):
    # when a token is created
    token, plaintext = services.token_create(actor=sales, company=company, name="export", scope="read")
    # then the database holds its SHA-256 and a short prefix, never the token
    stored = PersonalAccessToken.objects.filter(pk=token.pk).values().get()
    assert plaintext.startswith("spona_pat_") and len(plaintext) > 40
    assert stored["token_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    assert all(plaintext not in str(value) for value in stored.values())
    assert plaintext.startswith(f"spona_pat_{stored['prefix']}")
    assert bearer(plaintext).get(f"{API}/parties").status_code == 200


@pytest.mark.parametrize("presented", ["spona_pat_wrong", "something-else", ""])
def test_an_unknown_token_answers_401(company, presented):
    assert_problem(bearer(presented).get(f"{API}/parties"), 401)


def test_a_revoked_token_is_refused(company, sales):
    token, plaintext = services.token_create(actor=sales, company=company, name="export", scope="read")
    services.token_revoke(actor=sales, token_id=token.pk)
    body = assert_problem(bearer(plaintext).get(f"{API}/parties"), 401)
    assert "revoked" in body["detail"]


def test_an_expired_token_is_refused(company, sales):
    # given a token valid for one day
    _, plaintext = services.token_create(
        actor=sales, company=company, name="export", scope="read", expires_at=timezone.now() + timedelta(days=1)
    )
    assert bearer(plaintext).get(f"{API}/parties").status_code == 200
    # when two days have passed
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        body = assert_problem(bearer(plaintext).get(f"{API}/parties"), 401)
    # then it is refused as expired
    assert "expired" in body["detail"]


def test_a_read_token_cannot_change_anything(company, sales, api_as):
    reader = api_as(sales, scope="read")
    assert reader.get(f"{API}/parties").status_code == 200
    assert_problem(reader.post(f"{API}/parties", NEW_PARTY, content_type="application/json"), 403, "insufficient_scope")
    org = party(company, "Stays")
    assert_problem(reader.patch(f"{API}/parties/{org.pk}", {"version": 1}, content_type="application/json"), 403)
    assert api_as(sales, scope="write").post(f"{API}/parties", NEW_PARTY, content_type="application/json").status_code == 201


def test_last_use_is_stamped_at_most_once_a_minute(company, sales):
    token, plaintext = services.token_create(actor=sales, company=company, name="export", scope="read")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        bearer(plaintext).get(f"{API}/parties")
        first = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        bearer(plaintext).get(f"{API}/parties")
        assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        bearer(plaintext).get(f"{API}/parties")
        assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at == start + timedelta(seconds=90)
    assert first == start


def test_an_inactive_users_token_is_refused(company, admin, sales, api_as):
    client = api_as(sales)
    services.user_set_active(actor=admin, company=company, user_id=sales.pk, active=False)
    assert_problem(client.get(f"{API}/parties"), 403, "account_inactive")


def test_portal_users_get_no_staff_api(company):
    # given a customer's portal user signed in to the site
    customer = party(company, "Customer Ltd")
    portal = member(company, "portal", party=customer)
    client = Client()
    client.force_login(portal)
    # then the staff API refuses them, and they cannot mint a token either
    assert_problem(client.get(f"{API}/parties"), 403)
    assert_problem(client.post(f"{API}/tokens", {"name": "mine"}, content_type="application/json"), 403)
    assert not PersonalAccessToken.objects.exists()


def test_a_session_needs_the_csrf_token_to_change_things(company, sales):
    # given a signed-in browser that enforces CSRF like a real one
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales)
    assert client.get(f"{API}/parties").status_code == 200
    # when it posts without the CSRF token, then it is refused
    assert_problem(client.post(f"{API}/parties", NEW_PARTY, content_type="application/json"), 403, "csrf_failed")
    # and with the cookie's value in X-CSRFToken it passes
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(f"{API}/parties", NEW_PARTY, content_type="application/json", headers={"X-CSRFToken": secret})
    assert response.status_code == 201


def test_the_company_header_switches_only_to_a_company_of_the_user(company, other_company, sales):
    # given a user in both companies, with a party in each
    Membership.objects.create(user=sales, company=other_company, role="sales")
    party(company, "Acme Customer")
    party(other_company, "Globex Customer")
    client = Client()
    client.force_login(sales)

    def names(response):
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["items"]]

    # then the session works in the default company, the header switches to the other one
    assert names(client.get(f"{API}/parties")) == ["Acme Customer"]
    assert names(client.get(f"{API}/parties", headers={"X-Spona-Company": str(other_company.pk)})) == ["Globex Customer"]
    # and a company the user is not a member of is refused, not silently replaced
    outsider = Client()
    outsider.force_login(member(company, "sales"))
    assert_problem(outsider.get(f"{API}/parties", headers={"X-Spona-Company": str(other_company.pk)}), 403, "company_refused")


def test_a_token_works_only_in_its_own_company(company, other_company, sales, api_as):
    Membership.objects.create(user=sales, company=other_company, role="sales")
    client = api_as(sales)
    response = client.get(f"{API}/parties", headers={"X-Spona-Company": str(other_company.pk)})
    assert_problem(response, 403, "company_refused")
    assert client.get(f"{API}/parties", headers={"X-Spona-Company": str(company.pk)}).status_code == 200


def test_a_bearer_token_wins_over_the_session(company, other_company, sales):
    # given a browser signed in as one user that also sends another user's token
    other = member(other_company, "sales")
    _, plaintext = services.token_create(actor=other, company=other_company, name="x", scope="read")
    party(other_company, "Globex Customer")
    client = Client(headers={"Authorization": f"Bearer {plaintext}"})
    client.force_login(sales)
    # then the token decides who calls
    assert [p["name"] for p in client.get(f"{API}/parties").json()["items"]] == ["Globex Customer"]


def test_a_deactivated_users_session_ends(company, admin, sales):
    # given a signed-in user who is then deactivated
    client = Client()
    client.force_login(sales)
    assert client.get(f"{API}/parties").status_code == 200
    services.user_set_active(actor=admin, company=company, user_id=sales.pk, active=False)
    # then Django no longer accepts their session: the call is anonymous
    assert_problem(client.get(f"{API}/parties"), 401)
