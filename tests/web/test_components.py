from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from spona.web import navigation
from spona.web import urls as web_urls
from tests.factories import member

# Pages reached from somewhere other than the menu, and why.
REACHED_OTHERWISE = {
    "home": "the brand and the first menu line",
    "login": "every page when logged out",
    "password_reset": "the login page",
    "password_reset_done": "the reset form",
    "password_reset_complete": "the reset link",
    "password_change": "the user menu",
    "password_change_done": "the change form",
    "login_code": "the login page, for a user with two-factor login",
    "two_factor": "the user menu",
    "party_create": "the party list's buttons",
    "user_invite": "the users list's button",
    "search": "the search button and Ctrl/Cmd+K on every page",
    "search_palette": "the command palette's results (htmx)",
}


def test_every_page_without_parameters_is_in_the_menu_or_linked():
    # given the shell's URL names that take no parameters and answer GET
    names = {p.name for p in web_urls.urlpatterns if p.name and not p.pattern.regex.groups and "{" not in str(p.pattern)}
    post_only = {"switch_company", "set_language", "logout", "outbox_replay"}
    in_menu = {e.url_name.split(":")[1] for e in navigation.ENTRIES}
    # then each is a menu entry or has a known way in
    assert names - post_only - in_menu - set(REACHED_OTHERWISE) == {"party_search"}  # the picker's JSON, not a page


def test_every_menu_entry_opens_for_an_administrator(client, company, admin):
    client.force_login(admin)
    for entry in navigation.ENTRIES:
        assert client.get(reverse(entry.url_name)).status_code == 200, entry.url_name


def test_menu_groups_entries_by_section(company):
    # support sees the front office and the approvals inbox of the bridge, nothing of the back office
    agent = member(company, "support")
    menu = navigation.menu_for(agent, company, "/parties/12/")
    assert [s["key"] for s in menu] == ["front", "bridge"]
    assert [item["active"] for item in menu[0]["items"] if item["url_name"] == "web:party_list"] == [True]
    assert navigation.menu_for(agent, None) == []
    # finance sees the back office too, in its own section
    assert [s["key"] for s in navigation.menu_for(member(company, "finance"), company)] == ["front", "back", "bridge"]


def test_menu_refuses_an_unknown_section():
    with pytest.raises(ValueError):
        navigation.register(navigation.MenuEntry("nowhere", "X", "web:home", "core.view_party"))


def test_kanban_component_renders_columns_and_keyboard_moves(db):
    request = RequestFactory().get("/")
    html = render_to_string(
        "web/components/kanban.html",
        {
            "name": "deals",
            "label": "Deals",
            "move_url": "/deals/move/",
            "columns": [
                {"key": "new", "label": "New", "cards": [{"id": 1, "title": "<b>Big deal</b>", "url": "/deals/1/"}]},
                {"key": "won", "label": "Won", "cards": []},
            ],
        },
        request=request,
    )
    assert 'data-kanban-column="new"' in html and 'data-kanban-column="won"' in html
    assert "&lt;b&gt;Big deal&lt;/b&gt;" in html and 'name="to"' in html and "Nothing here." in html
    assert " style=" not in html
