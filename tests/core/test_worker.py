"""``spona worker``: the loop in-process, and real worker processes killed mid-run (QUALITY J1)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pydantic import BaseModel

from spona.core import audit, events
from spona.core import worker as worker_module
from spona.core.management.commands.worker import Command
from spona.core.models import AuditEntry, Event, EventDelivery, WorkerHeartbeat
from spona.core.worker import Worker
from spona.tasks import task

REPO = Path(__file__).resolve().parents[2]
PLUGIN = "tests.core.worker_plugin"
JOBS = 100


# In-process ---------------------------------------------------------------------------------


class TickPayload(BaseModel):
    n: int


TICK = events.EventType("test.tick", "A test event for the worker.", TickPayload, "core", "tick {n}")


@task()
def double(number: int) -> int:
    return 2 * number


@task()
def explode() -> None:
    raise ValueError("this job fails on purpose")


@pytest.fixture
def tick(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[Callable[[events.Handler], None]]:
    """Define ``test.tick`` with no in-process dispatch, so that only the worker delivers it."""
    settings.EVENTS_DISPATCH_ON_COMMIT = False
    monkeypatch.setitem(events.EVENT_TYPES, TICK.name, TICK)
    yield lambda handler: events.subscribe(TICK.name, "test.tick_handler", handler)
    events.unsubscribe(TICK.name, "test.tick_handler")


def record(event: Event) -> None:
    audit.record(actor=None, target=event, action="tick_effect")


@pytest.mark.django_db(transaction=True)
def test_once_delivers_due_events_and_runs_queued_jobs_then_exits(company, tick, caplog):
    # given two due events and two queued jobs, one of which fails
    tick(record)
    published = [events.publish(TICK.name, company=company, n=n) for n in (1, 2)]
    good, bad = double.enqueue(21), explode.enqueue()
    # when the worker runs once
    out = StringIO()
    call_command("worker", "--once", "--interval", "0", stdout=out)
    # then every event was delivered, both jobs ran, and the failed job was logged on one line
    assert AuditEntry.objects.filter(action="tick_effect").count() == 2
    assert not EventDelivery.objects.filter(event__in=published).exclude(status=EventDelivery.Status.DONE).exists()
    assert DBTaskResult.objects.get(pk=good.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=good.id).return_value == 42
    assert DBTaskResult.objects.get(pk=bad.id).status == "FAILED"
    assert any("explode" in r.getMessage() and "fails on purpose" in r.getMessage() for r in caplog.records)
    assert "delivered 2 events (0 failed attempts), ran 2 tasks (1 failed)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_runs_again_and_a_live_workers_task_is_left_alone(caplog):
    # given a task claimed by a worker killed with SIGKILL (no heartbeat), and one claimed by a
    # worker that beat a moment ago
    orphan, busy = double.enqueue(21), double.enqueue(4)
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=timezone.now(), seen_at=timezone.now())
    for result, claimant in ((orphan, "killed"), (busy, "alive")):
        DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=[claimant])
    # when another worker runs once
    worker = Worker(interval=0, worker_id="rescuer")
    worker.run(once=True)
    # then the orphan ran to completion there, the live worker's task was not touched, and the
    # rescuer's own heartbeat is gone now that it stopped
    rescued = DBTaskResult.objects.get(pk=orphan.id)
    assert (rescued.status, rescued.return_value, rescued.worker_ids) == ("SUCCESSFUL", 42, ["killed", "rescuer"])
    assert DBTaskResult.objects.get(pk=busy.id).status == "RUNNING"
    assert any("1 task(s) of dead workers handed back" in r.getMessage() for r in caplog.records)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


@pytest.mark.django_db(transaction=True)
def test_a_worker_silent_for_longer_than_the_limit_counts_as_dead():
    # given a task claimed by a worker whose last heartbeat is older than the limit
    stale = timezone.now() - dt.timedelta(seconds=worker_module.STALE_AFTER_SECONDS + 1)
    WorkerHeartbeat.objects.create(worker_id="hung", started_at=stale, seen_at=stale)
    result = double.enqueue(5)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=stale, worker_ids=["hung"])
    # when a worker runs once
    Worker(interval=0).run(once=True)
    # then the task ran again
    assert DBTaskResult.objects.get(pk=result.id).return_value == 10


@pytest.mark.django_db(transaction=True)
def test_a_stop_request_lets_the_current_delivery_finish(company, tick):
    # given three due events and a worker asked to stop while it handles the first
    worker = Worker(interval=0)

    def stop_midway(event: Event) -> None:
        worker.stop()
        record(event)

    tick(stop_midway)
    published = [events.publish(TICK.name, company=company, n=n) for n in (1, 2, 3)]
    ours = EventDelivery.objects.filter(event__in=published, handler="test.tick_handler").order_by("pk")
    # when it runs
    stats = worker.run()
    # then the delivery in progress committed and the rest wait for the next worker
    assert [d.status for d in ours] == [EventDelivery.Status.DONE, EventDelivery.Status.PENDING, EventDelivery.Status.PENDING]
    assert AuditEntry.objects.filter(action="tick_effect").count() == 1
    assert stats.delivered == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_error_does_not_end_the_worker(monkeypatch, caplog):
    # given a database that fails once (a restart, a dropped connection)
    worker = Worker(interval=0)
    calls = []

    def flaky(limit: int) -> list[int]:
        calls.append(limit)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        worker.stop()
        return []

    monkeypatch.setattr(events, "due_delivery_ids", flaky)
    # when the worker runs
    stats = worker.run()
    # then it logged the error and tried again
    assert stats.database_errors == 1
    assert len(calls) == 2
    assert any("database error" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_ends_a_once_run(monkeypatch):
    def broken(limit: int) -> list[int]:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(events, "due_delivery_ids", broken)
    with pytest.raises(OperationalError):
        Worker(interval=0).run(once=True)


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_a_periodic_summary(company, tick, caplog):
    # given a worker that summarises after every round, and one due event
    tick(record)
    events.publish(TICK.name, company=company, n=1)
    worker = Worker(interval=0, summary_every=0)
    # when it drains the outbox
    with caplog.at_level(logging.INFO, logger="spona.core.worker"):
        worker.run(once=True)
    # then the summary says what it did
    assert any("last 0s: delivered 1 events" in r.getMessage() for r in caplog.records)


def test_help_explains_the_worker_to_a_new_user():
    text = Command().create_parser("spona", "worker").format_help()
    for expected in ("delivers domain events", "--once", "--interval SECONDS", "--batch N", "--import MODULE", "SIGTERM"):
        assert expected in text


def test_an_unknown_handler_module_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Cannot load handler module 'no_such_plugin'"):
        call_command("worker", "--once", "--import", "no_such_plugin")


def test_bad_options_are_refused(db):
    for option in (["--interval", "-1"], ["--batch", "0"], ["--interval", "soon"]):
        with pytest.raises(CommandError):
            call_command("worker", "--once", *option)


# Real worker processes (QUALITY J1) ---------------------------------------------------------


@dataclass
class WorkerDatabase:
    """A database that worker processes and this test share: a migrated file, or the PostgreSQL test database."""

    url: str
    home: Path
    count_effects: Callable[[], int]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SPONA_DATABASE_URL": self.url,
            "SPONA_HOME": str(self.home),
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "SPONA_EVENTS_DISPATCH_ON_COMMIT": "0",
            "SPONA_LOG_LEVEL": "WARNING",
        }

    def spona(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "spona", *args], env=self.env(), cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start_worker(self, *args: str) -> subprocess.Popen[str]:
        log = (self.home / "worker.log").open("a")
        return subprocess.Popen(
            [sys.executable, "-m", "spona", "worker", "--import", PLUGIN, "--interval", "0.2", *args],
            env=self.env(),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def report(self) -> dict[str, int]:
        out = self.spona("shell", "-c", f"from {PLUGIN} import report; report()")
        return json.loads(out.strip().splitlines()[-1])

    def wait_for_effects(self, at_least: int, process: subprocess.Popen[str], timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while (count := self.count_effects()) < at_least:
            if process.poll() is not None:
                pytest.fail(f"the worker exited early: {(self.home / 'worker.log').read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"only {count} of {at_least} effects after {timeout}s")
            time.sleep(0.02)
        return count


@pytest.fixture
def worker_db(tmp_path: Path) -> WorkerDatabase:
    if connection.vendor == "postgresql":
        # transaction=True: the test database itself, whose commits the worker processes see.
        s = connection.settings_dict
        password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
        url = f"postgresql://{quote(s['USER'])}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        return WorkerDatabase(url, tmp_path, lambda: AuditEntry.objects.filter(action="j1_effect").count())

    path = tmp_path / "j1.sqlite3"

    def count() -> int:
        with closing(sqlite3.connect(path, timeout=20)) as db:
            return db.execute("SELECT count(*) FROM core_auditentry WHERE action = 'j1_effect'").fetchone()[0]

    # A copy of the migrated (and, with transaction=True, empty) test database: migrating a new
    # file in a subprocess costs tens of seconds, the copy a few milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return WorkerDatabase(f"sqlite:///{path}", tmp_path, count)


@pytest.mark.django_db(transaction=True)
def test_j1_kill_9_during_100_jobs_then_every_effect_happens_exactly_once(worker_db):
    # given 100 jobs whose handler appends a row, then pauses
    worker_db.spona("shell", "-c", f"from {PLUGIN} import seed; seed({JOBS})")
    # when a worker is killed with SIGKILL mid-run, twice, and a third is stopped with SIGTERM
    effects_at_kill = []
    for threshold in (20, 50):
        process = worker_db.start_worker()
        worker_db.wait_for_effects(threshold, process)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        effects_at_kill.append(worker_db.count_effects())
    process = worker_db.start_worker()
    worker_db.wait_for_effects(70, process)
    process.send_signal(signal.SIGTERM)
    terminated_rc = process.wait(timeout=20)
    # and a worker is started again with --once
    worker_db.spona("worker", "--once", "--import", PLUGIN)
    report = worker_db.report()
    print(
        f"\nJ1 ({connection.vendor}): events={report['events']} kills=2 (at {effects_at_kill} effects) sigterm=1 "
        f"effects={report['effects']} duplicates={report['duplicates']} missing={report['missing']} pending={report['pending']}"
    )
    # then the kills hit a run in progress, SIGTERM ended the worker cleanly, and every job's
    # effect happened exactly once with nothing left pending
    assert all(count < JOBS for count in effects_at_kill)
    assert terminated_rc == 0
    assert report == {"events": JOBS, "effects": JOBS, "missing": 0, "duplicates": 0, "pending": 0, "dead": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_run_a_job_twice(worker_db):
    # given 100 jobs
    worker_db.spona("shell", "-c", f"from {PLUGIN} import seed; seed({JOBS})")
    # when two workers drain them at the same time
    processes = [worker_db.start_worker("--once", "--batch", "10") for _ in range(2)]
    codes = [p.wait(timeout=120) for p in processes]
    report = worker_db.report()
    print(f"\nTwo workers ({connection.vendor}): effects={report['effects']} duplicates={report['duplicates']}")
    # then each job ran exactly once
    assert codes == [0, 0]
    assert report == {"events": JOBS, "effects": JOBS, "missing": 0, "duplicates": 0, "pending": 0, "dead": 0}
