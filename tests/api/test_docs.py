"""The API docs are served offline and work under the site's Content-Security-Policy."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import API

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def plain_static_files(settings):
    # The manifest storage needs collectstatic; these tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_the_docs_page_references_nothing_outside_the_site(client, plain_static_files):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # every script, style sheet and icon comes from our own static files
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/ninja/") for a in assets), assets
    assert not re.search(r"cdn|jsdelivr|unpkg|https?://", html, re.IGNORECASE)
    # the inline settings block is data, not script, so the CSP (no inline scripts) allows the page
    assert re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) == [' type="application/json" id="swagger-settings"']
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy


def test_the_schema_is_openapi_3_1(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_docs_render_in_chromium_without_csp_violations_or_outside_requests(live_server, plain_static_files):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requests: list[str] = []
            errors: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.add_init_script(
                "window.__csp = [];"
                "document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            # when the docs page is opened
            page.goto(f"{live_server.url}{API}/docs")
            # then Swagger UI renders every operation of the schema
            page.wait_for_selector(".opblock-summary", timeout=20_000)
            operations = page.locator(".opblock-summary").count()
            violations = page.evaluate("window.__csp")
        finally:
            browser.close()
    outside = [url for url in requests if not url.startswith(live_server.url) and not url.startswith("data:")]
    print(
        f"\nAPI docs in Chromium: {operations} operations rendered, "
        f"{len(violations)} CSP violations, {len(outside)} outside requests"
    )
    assert operations >= 20
    assert violations == [], violations
    assert outside == []
    assert errors == [], errors


def test_no_two_body_or_answer_schemas_share_a_name():
    # The OpenAPI document keeps one component per class name: a second OrderOut would silently
    # replace the first, and the schema would lie about one of the two APIs.
    import importlib
    import pkgutil

    from ninja import Schema

    import spona

    owners: dict[str, list[str]] = {}
    for module_info in pkgutil.walk_packages(spona.__path__, "spona."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("api"):
            continue
        module = importlib.import_module(module_info.name)
        for name, obj in vars(module).items():
            ours = isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == module.__name__
            # query parameters (…Params, …Filters) are not components
            if ours and not name.endswith(("Params", "Filters")):
                owners.setdefault(name, []).append(module.__name__)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}
