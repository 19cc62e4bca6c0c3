"""Periodic jobs (daily overdue checks, reminders …) run by ``spona worker``.

Apps register jobs in their ``ready()`` with ``every(name, interval, func)``. The worker calls
``run_due()`` now and then; each due job runs in one worker only (the job's row is locked, the
others skip it) and its outcome is recorded. Jobs must be idempotent: after a crash a job may
run again at its next turn.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    func: Callable[[], object]


JOBS: dict[str, Job] = {}


def every(name: str, interval: timedelta, func: Callable[[], object]) -> None:
    """Register ``func`` to run every ``interval`` under a stable ``name``."""
    existing = JOBS.get(name)
    if existing is not None and existing.func is not func:
        raise ValueError(f"Job {name!r} is registered twice.")
    JOBS[name] = Job(name, interval, func)


def run_due(now: timezone.datetime | None = None) -> list[str]:
    """Run every job whose interval has passed since it last started; return the names run."""
    from spona.core.models import ScheduledRun

    now = now or timezone.now()
    ran = []
    for job in sorted(JOBS.values(), key=lambda j: j.name):
        with contextlib.suppress(IntegrityError):  # created by another worker at the same moment
            ScheduledRun.objects.get_or_create(name=job.name)
        with transaction.atomic():
            qs = ScheduledRun.objects.filter(name=job.name)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            run = qs.first()
            if run is None or (run.last_started_at is not None and now - run.last_started_at < job.interval):
                continue
            run.last_started_at = now
            try:
                with transaction.atomic():
                    result = job.func()
                run.last_result, run.last_error = str(result)[:200], ""
            except Exception:
                logger.exception("Scheduled job %s failed", job.name)
                run.last_result, run.last_error = "failed", traceback.format_exc(limit=5)[-4000:]
            run.last_finished_at = timezone.now()
            run.save()
            ran.append(job.name)
    return ran
