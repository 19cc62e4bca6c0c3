"""Idempotency-Key on creating calls (QUALITY C3): one effect, identical answers."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from spona.core import services
from spona.core.models import IdempotencyRecord, Party
from tests.api.conftest import API, assert_problem
from tests.factories import member

JSON = "application/json"
BODY = {"kind": "organisation", "name": "Once Only d.o.o.", "emails": ["office@once.rs"]}


def post(client: Client, body: dict, key: str | None = "key-1"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"{API}/parties", body, content_type=JSON, headers=headers)


def test_a_retry_with_the_same_key_replays_the_first_answer(company, sales, api_as):
    client = api_as(sales)
    # when the same creating call is sent twice with one key
    first, second = post(client, BODY), post(client, BODY)
    # then one party exists and the retry got the first answer, byte for byte
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Party.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused(company, sales, api_as):
    client = api_as(sales)
    post(client, BODY)
    body = assert_problem(post(client, {**BODY, "name": "Something Else"}), 422, "idempotency_key_reused")
    assert "Idempotency-Key" in body["errors"]
    assert list(Party.objects.values_list("name", flat=True)) == ["Once Only d.o.o."]


def test_keys_belong_to_their_user(company, sales, api_as):
    post(api_as(sales), BODY)
    other = api_as(member(company, "sales"))
    response = post(other, BODY)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Party.objects.count() == 2


def test_without_a_key_each_call_has_its_effect(company, sales, api_as):
    client = api_as(sales)
    post(client, BODY, key=None)
    post(client, BODY, key=None)
    assert Party.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_refusal_is_replayed_too(company, sales, api_as):
    # given a call the service refuses (an invalid e-mail)
    client = api_as(sales)
    refused = post(client, {**BODY, "emails": ["nope"]}, key="bad-1")
    assert refused.status_code == 422
    # then the retry gets the same refusal, stored, without running again
    again = post(client, {**BODY, "emails": ["nope"]}, key="bad-1")
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (422, refused.content, "true")


def test_a_server_error_is_not_stored_so_a_retry_runs(company, sales, api_as, monkeypatch):
    # given a service that fails unexpectedly once
    real = services.party_create
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "party_create", flaky)
    client = api_as(sales)
    # when the first call fails and the client retries with the same key
    assert_problem(post(client, BODY), 500)
    assert not IdempotencyRecord.objects.exists()
    retry = post(client, BODY)
    # then the retry runs and succeeds, once
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Party.objects.count() == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 201, "ключ"])
def test_a_malformed_key_is_refused(company, sales, api_as, key):
    response = post(api_as(sales), BODY, key=key)
    assert_problem(response, 422)
    assert not Party.objects.exists()


def test_an_invalid_body_claims_no_key(company, sales, api_as):
    client = api_as(sales)
    assert post(client, {"kind": "robot"}).status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert post(client, BODY).status_code == 201


def _concurrently(plaintext: str, clients: int, key: str) -> list[tuple[int, bytes, str | None]]:
    """Send the same keyed creating call from ``clients`` threads at once, each on its own connection."""
    barrier = threading.Barrier(clients)
    answers: list[tuple[int, bytes, str | None]] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {plaintext}"})
            barrier.wait(timeout=10)
            response = post(client, BODY, key=key)
            answers.append((response.status_code, response.content, response.get("Idempotent-Replayed")))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_calls_with_one_key_create_one_party(on_postgres, company, sales):
    # given one token and ten clients ready to send the same creating call with the same key
    _, plaintext = services.token_create(actor=sales, company=company, name="load", scope="write")
    # when they all send at once
    answers = _concurrently(plaintext, 10, "concurrent-1")
    # then one party was created and all ten got the same answer
    created = Party.objects.filter(name=BODY["name"]).count()
    distinct = {(status, content) for status, content, _ in answers}
    replayed = sum(1 for *_, flag in answers if flag == "true")
    print(
        f"\nC3 idempotency: {len(answers)} concurrent calls, {created} party created, "
        f"{len(distinct)} distinct answer, {replayed} replays"
    )
    assert created == 1
    assert len(answers) == 10 and len(distinct) == 1
    assert next(iter(distinct))[0] == 201
    assert replayed == 9


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_when_the_first_call_fails_a_waiting_duplicate_takes_over(on_postgres, company, sales, monkeypatch):
    # given a service whose first call fails after the other calls are already waiting on its key
    real = services.party_create
    calls: list[int] = []

    def first_fails(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.5)
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(services, "party_create", first_fails)
    _, plaintext = services.token_create(actor=sales, company=company, name="load", scope="write")
    # when ten clients send the same keyed call at once
    answers = _concurrently(plaintext, 10, "concurrent-2")
    # then the failed call left nothing behind, one waiting call ran, the rest replayed its answer
    statuses = sorted(status for status, _, _ in answers)
    created = Party.objects.filter(name=BODY["name"]).count()
    print(f"\nC3 winner fails: statuses {statuses}, {created} party created, service called {len(calls)} times")
    assert statuses == [201] * 9 + [500]
    assert len({content for status, content, _ in answers if status == 201}) == 1
    assert created == 1 and len(calls) == 2
    assert IdempotencyRecord.objects.get(key="concurrent-2").status_code == 201
