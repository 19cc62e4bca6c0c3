from __future__ import annotations

import os
import threading

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright's own browser download is not available here.
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs {CHROMIUM} (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; the live server serves static files from the finders.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    # CI runs the SQLite and PostgreSQL suites side by side on two cores: a page can take longer
    # than Playwright's default 5 s to settle there without anything being wrong.
    expect.set_options(timeout=15_000)


class _Requests:
    """Requests the live servers are still answering, counted with Django's request signals."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **_: object) -> None:
        with self.changed:
            self.count += 1

    def finished(self, **_: object) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()


_requests = _Requests()
request_started.connect(_requests.started, weak=False)
request_finished.connect(_requests.finished, weak=False)


@pytest.fixture(autouse=True)
def server_done_before_flush():
    """After a journey, wait for the requests its browser left in flight to end.

    The browser is closed first (pytest-playwright's fixtures end before this one), but a page's
    last poll (the ticket's viewers every 10 s) can still be running on the server; emptying the
    tables under it deadlocks on PostgreSQL. The count is compared with the one before the
    journey: an earlier test's streamed response that nobody read to the end stays counted.
    """
    before = _requests.count
    yield
    with _requests.changed:
        _requests.changed.wait_for(lambda: _requests.count <= before, timeout=30)
