"""GET /api/v1/search: global search for programs, with the same permissions as the UI."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, assert_problem
from tests.factories import member, party


@pytest.fixture
def bora(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return party(company, "Bora Trade d.o.o.", emails=["office@bora.rs"])


def test_search_answers_hits_with_links_and_the_kinds_the_caller_may_search(api_as, sales, bora):
    response = api_as(sales).get(f"{API}/search", {"q": "bor"})
    assert response.status_code == 200
    body = response.json()
    assert "core.party" in body["kinds"]
    assert body["results"] == [
        {
            "kind": "core.party",
            "object_id": bora.pk,
            "title": "Bora Trade d.o.o.",
            "subtitle": "Organisation · office@bora.rs",
            "url": f"/parties/{bora.pk}/",
        }
    ]


def test_search_filters_by_kind_and_finds_nothing_without_words(api_as, sales, bora):
    assert api_as(sales).get(f"{API}/search", {"q": "bora", "kind": "finance.invoice"}).json()["results"] == []
    assert api_as(sales).get(f"{API}/search", {"q": "  "}).json()["results"] == []
    assert_problem(api_as(sales).get(f"{API}/search", {"q": "x" * 201}), 422)


def test_another_companys_caller_finds_nothing(api_as, other_company, bora):
    stranger = member(other_company, "admin")
    response = api_as(stranger, in_company=other_company).get(f"{API}/search", {"q": "bora"})
    assert response.json()["results"] == []
