"""The search page and the command palette (Ctrl/Cmd+K)."""

from __future__ import annotations

import pytest

from tests.factories import member, party


@pytest.fixture
def bora(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return party(company, "Bora Trade d.o.o.", emails=["office@bora.rs"])


def test_the_search_page_lists_matching_records_grouped_by_kind(client, login, sales, bora, django_assert_max_num_queries):
    login(sales)
    with django_assert_max_num_queries(12):
        response = client.get("/search/", {"q": "bora"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Customers &amp; contacts" in body and f'href="/parties/{bora.pk}/"' in body
    assert "1 record found" in body


def test_the_search_page_explains_an_empty_result_and_escapes_the_query(client, login, sales, bora):
    login(sales)
    body = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "Nothing matches these words" in body
    assert "<script>alert(1)</script>" not in body


def test_the_palette_offers_records_pages_and_create_actions_the_user_may_use(client, login, company, sales, bora):
    login(sales)
    body = client.get("/search/palette/", {"q": "bora"}).content.decode()
    assert "Bora Trade d.o.o." in body and "All results for" in body
    # pages come from the menu the user sees, create actions from what the user may do
    body = client.get("/search/palette/", {"q": "customers"}).content.decode()
    assert 'href="/parties/"' in body
    body = client.get("/search/palette/", {"q": "new"}).content.decode()
    assert "New party" in body and "Invite a user" not in body


def test_the_palette_is_on_every_page_for_staff_and_opens_with_ctrl_k(client, login, sales):
    body = login(sales).get("/").content.decode()
    assert 'id="palette"' in body and 'aria-keyshortcuts="Control+K Meta+K"' in body


def test_an_administrator_may_also_invite_from_the_palette(client, login, admin):
    body = login(admin).get("/search/palette/", {"q": "invite"}).content.decode()
    assert "Invite a user" in body


def test_a_portal_user_cannot_search_staff_records(client, login, company, bora):
    portal = member(company, "portal", party=bora)
    login(portal)
    assert client.get("/search/", {"q": "bora"}).status_code == 403
    assert client.get("/search/palette/", {"q": "bora"}).status_code == 403
