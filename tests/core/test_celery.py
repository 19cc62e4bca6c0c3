"""The scale-out mode for real: a Celery worker process on the Redis broker (PostgreSQL only).

No eager mode and no mocks: ``spona worker`` runs as a separate process with SPONA_BROKER_URL
set, this test process enqueues through the tasks facade and publishes through a service, and
the effects appear in the shared PostgreSQL test database. The broker is
SPONA_TEST_BROKER_URL (default ``redis://127.0.0.1:6379/15``); without it the test is skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from spona.core import services
from spona.core.models import AuditEntry, EventDelivery, TimelineEntry
from tests.core import celery_plugin

REPO = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("SPONA_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgresql://{quote(s['USER'])}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_mode(on_postgres, settings) -> Iterator[None]:
    """This process in the scale-out mode: the facade sends to Celery, events are dispatched by tasks."""
    import redis

    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {BROKER_URL} (SPONA_TEST_BROKER_URL): {exc}")
    from spona.celery import app

    settings.BROKER_URL = BROKER_URL
    settings.TASKS = {"default": {"BACKEND": "spona.celery.CeleryBackend", "QUEUES": ["default"]}}
    settings.EVENTS_DISPATCH_ON_COMMIT = True
    settings.EVENTS_DISPATCH_QUEUED = True
    previous = app.conf.broker_url
    app.conf.broker_url = BROKER_URL
    yield
    app.close()  # drop the pooled broker connections made with this URL
    app.conf.broker_url = previous


@pytest.fixture
def celery_worker(celery_mode, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``spona worker`` as a separate process, in Celery mode against the test database."""
    log = tmp_path / "celery.log"
    env = {
        **os.environ,
        "SPONA_DATABASE_URL": _database_url(),
        "SPONA_BROKER_URL": BROKER_URL,
        "SPONA_HOME": str(tmp_path),
        "SPONA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "spona", "worker", "--concurrency", "1"],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    process.log = log  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the Celery worker did not get there; its log:\n{process.log.read_text()[-3000:]}")  # type: ignore[attr-defined]
        time.sleep(0.1)


def test_a_celery_worker_delivers_a_services_event_and_runs_queued_tasks_retrying_a_transient_failure(
    company, admin, celery_worker
):
    # given a Celery worker process on the Redis broker
    # when a service registers a party (publishing core.party_created) and two tasks are queued,
    # one of which fails once with a transient database error
    party = services.party_create(
        actor=admin, company=company, data=services.PartyInput(kind="organisation", name="Celer d.o.o.")
    )
    celery_plugin.mark.enqueue(company.pk, "celery_mark")
    celery_plugin.flaky.enqueue(company.pk)
    delivery = EventDelivery.objects.get(event__name="core.party_created", event__party=party, handler="core.timeline")
    # then this process delivered nothing itself: the delivery waits for the queue's worker
    assert delivery.status == EventDelivery.Status.PENDING
    # and the worker delivers the event once (the party's timeline line) and runs both tasks,
    # the flaky one again after its failure
    effects = AuditEntry.objects.filter(company=company, action__startswith="celery_")
    wait_for(lambda: TimelineEntry.objects.filter(party=party).exists(), celery_worker)
    wait_for(
        lambda: effects.filter(action="celery_flaky_done").exists() and effects.filter(action="celery_mark").exists(),
        celery_worker,
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EventDelivery.Status.DONE, 1)
    assert TimelineEntry.objects.filter(party=party).count() == 1
    assert sorted(effects.values_list("action", flat=True)) == ["celery_flaky_done", "celery_mark", "celery_try", "celery_try"]


@pytest.mark.django_db
def test_a_task_queued_while_the_broker_is_down_is_logged_instead_of_failing_the_committed_request(settings, caplog):
    from spona.celery import app

    # given the Celery backend with a broker that nothing listens on
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.TASKS = {"default": {"BACKEND": "spona.celery.CeleryBackend", "QUEUES": ["default"]}}
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        # when a task is queued (as the services do after their commit)
        result = celery_plugin.mark.enqueue(1, "celery_mark")
    finally:
        app.close()
        app.conf.broker_url = previous
    # then the call returns a failed result and the log says which task was not queued
    assert result.status == "FAILED"
    assert "tests.core.celery_plugin.mark(1, 'celery_mark') not queued, the broker is unreachable" in caplog.text
