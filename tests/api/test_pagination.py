"""Cursor pagination: walking the pages returns every row exactly once, also while rows are added."""

from __future__ import annotations

from spona.core import services
from spona.core.models import Party
from tests.api.conftest import API, assert_problem
from tests.factories import member, party


def walk(client, path: str, limit: int) -> tuple[list[int], int]:
    ids: list[int] = []
    pages = 0
    url = f"{path}?limit={limit}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages += 1
        ids += [item["id"] for item in body["items"]]
        url = f"{path}?limit={limit}&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    return ids, pages


def test_walking_all_parties_returns_each_once(company, sales, api_as):
    # given 95 parties, some with equal names (the id breaks the tie)
    for i in range(95):
        party(company, f"Party {i % 40:02d}")
    # when a client walks the list 10 at a time
    ids, pages = walk(api_as(sales), f"{API}/parties", 10)
    # then every party comes exactly once, in name order
    assert sorted(ids) == sorted(Party.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == 95 and pages == 10
    assert ids == list(Party.objects.order_by("name", "pk").values_list("pk", flat=True))


def test_rows_added_while_walking_do_not_shift_pages(company, sales, api_as):
    for i in range(30):
        party(company, f"B{i:02d}")
    client = api_as(sales)
    first = client.get(f"{API}/parties?limit=10").json()
    # when a party sorting before the cursor is added between two pages
    party(company, "A first")
    rest, _ = walk_from(client, first["next_cursor"])
    # then the walk neither repeats nor skips the rows it had not reached
    seen = [p["id"] for p in first["items"]] + rest
    assert len(seen) == len(set(seen)) == 30


def walk_from(client, cursor: str) -> tuple[list[int], int]:
    ids, pages = [], 0
    while cursor:
        body = client.get(f"{API}/parties?limit=10&cursor={cursor}").json()
        ids += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        pages += 1
    return ids, pages


def test_walking_all_users_returns_each_once(company, admin, api_as):
    for i in range(23):
        services.user_create(actor=admin, company=company, email=f"u{i}@acme.test", full_name=f"User {i % 5}", roles=["sales"])
    member(company, "sales", full_name="User 1")
    ids, pages = walk(api_as(admin), f"{API}/users", 7)
    assert len(ids) == len(set(ids)) == 25 and pages == 4


def test_limits_are_bounded(company, sales, api_as):
    client = api_as(sales)
    assert_problem(client.get(f"{API}/parties?limit=0"), 422)
    assert_problem(client.get(f"{API}/parties?limit=201"), 422)
    assert client.get(f"{API}/parties?limit=200").status_code == 200
