"""The background worker behind ``spona worker``: event deliveries and queued tasks in one loop.

One process does both jobs so that a small installation runs a single worker:

* it delivers due events from the outbox (new ones, retries after backoff, and whatever a
  crashed process left pending), starting with a catch-up until nothing is due;
* it runs tasks queued with ``django-tasks`` on the database backend, claiming each one the
  way ``django_tasks_db``'s own worker does and running it through that worker's code.

Several workers may run at once: a delivery is locked with SKIP LOCKED while its handler runs
(``events._lock_due``) and a task is claimed under a row lock, so no work is done twice.
A stop request (SIGTERM, SIGINT) lets the current delivery or task finish, then the loop ends.

A worker killed outright (SIGKILL, a lost machine) leaves its claimed task RUNNING, and the task
queue keeps no lease. So every worker beats (a ``WorkerHeartbeat`` row, from a thread so that a
long task does not silence it) and hands back to the queue the tasks of workers that have not
beaten for ``STALE_AFTER_SECONDS``; such a task runs again, so tasks must be idempotent (they
are thin wrappers over services that check state).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus, task_backends
from django_tasks_db.management.commands.db_worker import Worker as TaskRunner
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from spona.core import events, schedule
from spona.core.models import WorkerHeartbeat

# How often the worker looks for periodic jobs that are due (see spona.core.schedule).
SCHEDULE_CHECK_SECONDS = 30.0
# A worker beats this often; one silent for STALE_AFTER_SECONDS is taken for dead.
HEARTBEAT_SECONDS = 10.0
STALE_AFTER_SECONDS = 60.0

logger = logging.getLogger(__name__)


@dataclass
class Stats:
    """What a worker did since it started (or since the last summary, for ``recent``)."""

    delivered: int = 0
    failed_deliveries: int = 0
    tasks: int = 0
    failed_tasks: int = 0
    database_errors: int = 0

    def add(self, other: Stats) -> None:
        self.delivered += other.delivered
        self.failed_deliveries += other.failed_deliveries
        self.tasks += other.tasks
        self.failed_tasks += other.failed_tasks
        self.database_errors += other.database_errors

    @property
    def work(self) -> int:
        return self.delivered + self.failed_deliveries + self.tasks

    def __str__(self) -> str:
        return (
            f"delivered {self.delivered} events ({self.failed_deliveries} failed attempts), "
            f"ran {self.tasks} tasks ({self.failed_tasks} failed)"
        )


class Worker:
    """Deliver due events and run queued tasks until stopped (or, with ``once``, until idle).

    ``batch`` bounds how many deliveries and tasks one round takes before checking for a stop
    request and logging; ``interval`` is the pause when a round found nothing to do.
    """

    def __init__(
        self,
        *,
        interval: float = 1.0,
        batch: int = 100,
        backend: str = "default",
        worker_id: str | None = None,
        summary_every: float = 60.0,
    ) -> None:
        if interval < 0:
            raise ValueError("The polling interval cannot be negative.")
        if batch < 1:
            raise ValueError("The batch size must be at least 1.")
        self.interval = interval
        self.batch = batch
        self.worker_id = worker_id or get_random_string(12)
        self.summary_every = summary_every
        self.stats = Stats()
        self._recent = Stats()
        self._last_summary = time.monotonic()
        self._stop = threading.Event()
        self._schedule_checked = float("-inf")
        self._orphans_checked = float("-inf")
        # With the tasks of another backend (Celery when scaled out) this worker only delivers events.
        self.backend = backend if isinstance(task_backends[backend], DatabaseBackend) else None
        self._task_runner = (
            TaskRunner(
                queue_names=["*"],
                interval=interval,
                batch=True,
                backend_name=backend,
                startup_delay=False,
                max_tasks=None,
                worker_id=self.worker_id,
                excluded_queue_names=[],
            )
            if self.backend
            else None
        )

    @property
    def running(self) -> bool:
        return not self._stop.is_set()

    def stop(self) -> None:
        """Ask the loop to end after the delivery or task in progress (safe from a signal handler)."""
        self._stop.set()

    def run(self, *, once: bool = False) -> Stats:
        """Catch up on everything due, then keep polling until stopped; return the totals.

        With ``once`` the worker stops as soon as a round finds nothing due (for cron and tests),
        and a database error ends it; otherwise database errors are logged and retried.
        """
        logger.info(
            "Worker %s started: events%s, polling every %ss",
            self.worker_id,
            " and tasks" if self.backend else " only (tasks run elsewhere)",
            self.interval,
        )
        heartbeat = threading.Thread(target=self._beat_until_stopped, name=f"heartbeat-{self.worker_id}", daemon=True)
        self._beat()
        heartbeat.start()
        try:
            self._loop(once=once)
        finally:
            self._stop.set()
            heartbeat.join()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        logger.info("Worker %s stopped: %s", self.worker_id, self.stats)
        return self.stats

    def _loop(self, *, once: bool) -> None:
        while self.running:
            round_stats = self._round(once=once)
            if round_stats.database_errors:
                # Give a restarting database a moment instead of hammering it.
                self._stop.wait(max(self.interval, 1.0))
            elif round_stats.work == 0:
                if once:
                    break
                self._stop.wait(self.interval)
            self._maybe_log_summary()

    def _round(self, *, once: bool) -> Stats:
        # Like Django's request cycle: drop connections that broke or outlived CONN_MAX_AGE.
        close_old_connections()
        done = Stats()
        try:
            self._run_schedule()
            self._requeue_orphaned_tasks()
            self._deliver_events(done)
            self._run_tasks(done)
        except DatabaseError as exc:
            if once:
                # A one-off run (cron, a script) reports the failure instead of waiting for the database.
                raise
            # The database restarted or is unreachable: keep the process alive and try again.
            done.database_errors += 1
            logger.warning("Worker %s: database error, retrying in %ss: %s", self.worker_id, max(self.interval, 1.0), exc)
            for conn in connections.all(initialized_only=True):
                conn.close()
        self.stats.add(done)
        self._recent.add(done)
        return done

    def _run_schedule(self) -> None:
        # Periodic jobs have intervals of minutes to days: looking twice a minute is plenty.
        now = time.monotonic()
        if now - self._schedule_checked < SCHEDULE_CHECK_SECONDS:
            return
        self._schedule_checked = now
        for name in schedule.run_due():
            logger.info("Worker %s ran the scheduled job %s", self.worker_id, name)

    def _beat(self) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"seen_at": now},
            create_defaults={"seen_at": now, "started_at": now, "host": socket.gethostname()[:255], "pid": os.getpid()},
        )

    def _beat_until_stopped(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._beat()
            except DatabaseError as exc:
                logger.warning("Worker %s: heartbeat failed: %s", self.worker_id, exc)
            finally:
                connections.close_all()

    def _requeue_orphaned_tasks(self) -> int:
        """Hand back to the queue the tasks claimed by workers that stopped beating; return how many."""
        if self.backend is None:
            return 0
        now = time.monotonic()
        if now - self._orphans_checked < HEARTBEAT_SECONDS:
            return 0
        self._orphans_checked = now
        alive_since = timezone.now() - dt.timedelta(seconds=STALE_AFTER_SECONDS)
        alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=alive_since).values_list("worker_id", flat=True))
        running = DBTaskResult.objects.running().filter(backend_name=self.backend).values_list("pk", "worker_ids")
        orphans = [pk for pk, worker_ids in running if not worker_ids or worker_ids[-1] not in alive]
        if not orphans:
            return 0
        requeued = DBTaskResult.objects.running().filter(pk__in=orphans).update(status=TaskResultStatus.READY, started_at=None)
        logger.warning("Worker %s: %d task(s) of dead workers handed back to the queue", self.worker_id, requeued)
        return requeued

    def _deliver_events(self, done: Stats) -> None:
        for pk in events.due_delivery_ids(self.batch):
            if not self.running:
                return
            outcome = events.deliver(pk)
            if outcome is events.Outcome.DONE:
                done.delivered += 1
            elif outcome is events.Outcome.FAILED:
                done.failed_deliveries += 1

    def _run_tasks(self, done: Stats) -> None:
        if self._task_runner is None:
            return
        for _ in range(self.batch):
            if not self.running:
                return
            task_result = self._claim_task()
            if task_result is None:
                return
            self._task_runner.run_task(task_result)
            done.tasks += 1
            if task_result.status == TaskResultStatus.FAILED:
                done.failed_tasks += 1
                last_line = (task_result.traceback or "").strip().splitlines()[-1:]
                logger.warning(
                    "Task %s (%s) failed: %s",
                    task_result.pk,
                    task_result.task_path,
                    last_line[0] if last_line else task_result.exception_class_path,
                )

    def _claim_task(self) -> DBTaskResult | None:
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend)
        try:
            # Claimed under a row lock (SKIP LOCKED; an exclusive transaction on SQLite), as in
            # django_tasks_db's worker, so two workers never take the same task.
            with exclusive_transaction(ready.db):
                task_result = ready.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def _maybe_log_summary(self) -> None:
        if time.monotonic() - self._last_summary < self.summary_every:
            return
        if self._recent.work or self._recent.database_errors:
            logger.info("Worker %s, last %ss: %s", self.worker_id, int(self.summary_every), self._recent)
        self._recent = Stats()
        self._last_summary = time.monotonic()


@contextmanager
def stop_on_signals(worker: Worker) -> Iterator[None]:
    """Turn SIGTERM and SIGINT into a clean stop; a second signal ends the process at once."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def handle(signum: int, frame: FrameType | None) -> None:
        if not worker.running:
            raise SystemExit(1)
        logger.info("Worker %s: %s received, finishing the current work", worker.worker_id, signal.Signals(signum).name)
        worker.stop()

    for sig in previous:
        signal.signal(sig, handle)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
