"""The scale-out mode for real: a Celery worker process on the Redis broker (PostgreSQL only).

No eager mode and no mocks: processes started with SPONA_BROKER_URL set, as an operator would.
``spona worker`` runs a Celery worker; ``spona shell`` registers a party through the service and
queues tasks through the facade; the effects appear in the shared PostgreSQL test database.
The broker is SPONA_TEST_BROKER_URL (default ``redis://127.0.0.1:6379/15``); without it the test
is skipped.
"""

from __future__ import annotations

import json
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

from spona.core.models import AuditEntry, EventDelivery, TimelineEntry

REPO = Path(__file__).resolve().parents[2]
PLUGIN = "tests.core.celery_plugin"
BROKER_URL = os.environ.get("SPONA_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgresql://{quote(s['USER'])}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _env(home: Path, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPONA_HOME": str(home),
        "SPONA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        **settings,
    }


def _shell(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spona", "shell", "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def scaled_env(on_postgres, tmp_path: Path) -> dict[str, str]:
    """The environment of a process in the scale-out mode, on the test database."""
    import redis

    try:
        redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {BROKER_URL} (SPONA_TEST_BROKER_URL): {exc}")
    return _env(tmp_path, SPONA_DATABASE_URL=_database_url(), SPONA_BROKER_URL=BROKER_URL)


@pytest.fixture
def celery_worker(scaled_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``spona worker`` as a separate process: a Celery worker on the broker."""
    log = tmp_path / "celery.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "spona", "worker", "--concurrency", "1"],
            env=scaled_env,
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


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_delivers_a_services_event_and_runs_queued_tasks_retrying_a_transient_failure(
    company, admin, scaled_env, celery_worker
):
    # given a Celery worker process on the Redis broker
    # when another process in the scale-out mode registers a party (the service publishes
    # core.party_created) and queues two tasks, one of which fails once with a transient error
    done = _shell(f"from {PLUGIN} import publish_and_enqueue; publish_and_enqueue({company.pk}, {admin.pk})", scaled_env)
    assert done.returncode == 0, done.stderr
    published = json.loads(done.stdout.strip().splitlines()[-1])
    # then that process delivered nothing itself after its commit: it handed the delivery over
    assert published["status_after_commit"] == EventDelivery.Status.PENDING
    # and the worker delivers the opportunity event once and runs both tasks,
    # the flaky one again after its failure
    effects = AuditEntry.objects.filter(company=company, action__startswith="celery_")
    wait_for(lambda: EventDelivery.objects.get(pk=published["delivery"]).status == EventDelivery.Status.DONE, celery_worker)
    wait_for(
        lambda: effects.filter(action="celery_flaky_done").exists() and effects.filter(action="celery_mark").exists(),
        celery_worker,
    )
    delivery = EventDelivery.objects.get(pk=published["delivery"])
    assert (delivery.status, delivery.attempts) == (EventDelivery.Status.DONE, 1)
    assert TimelineEntry.objects.filter(party_id=published["party"]).count() == 2  # registered, opportunity opened
    assert sorted(effects.values_list("action", flat=True)) == ["celery_flaky_done", "celery_mark", "celery_try", "celery_try"]


def test_a_task_queued_while_the_broker_is_down_is_logged_instead_of_failing_the_caller(tmp_path):
    # given the scale-out mode with a broker that nothing listens on
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _env(tmp_path, SPONA_BROKER_URL=f"redis://127.0.0.1:{port}/0")
    # when a task is queued (as the services do after their commit)
    done = _shell(f"from {PLUGIN} import enqueue_one; enqueue_one()", env)
    # then the call returns a failed result, and the log says which task was not queued
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"status": "FAILED"}
    assert "tests.core.celery_plugin.mark(1, 'celery_mark') not queued, the broker is unreachable" in done.stderr
