"""A handler module for the J1 worker test, loaded with ``spona worker --import tests.core.worker_plugin``.

It defines one event type whose handler appends an audit row (the job's visible effect) and
then pauses, so that a kill -9 often lands while a handler's transaction is open. ``seed`` and
``report`` run in ``spona shell`` against the same database as the worker.
"""

from __future__ import annotations

import json
import os
import time

from django.db import transaction
from django.db.models import Count
from pydantic import BaseModel

from spona.core import audit, events
from spona.core.models import AuditEntry, Event, EventDelivery

EFFECT = "j1_effect"


class JobPayload(BaseModel):
    n: int


JOB = events.define(events.EventType("j1.job", "A job of the J1 worker test.", JobPayload, "core", "job {n}"))


def on_job(event: Event) -> None:
    audit.record(actor=None, target=event, action=EFFECT)
    time.sleep(float(os.environ.get("J1_HANDLER_SECONDS", "0.03")))


events.subscribe(JOB.name, "j1.append_row", on_job)


def seed(count: int) -> None:
    """Publish ``count`` jobs in one transaction."""
    with transaction.atomic():
        for n in range(count):
            events.publish(JOB.name, company=None, n=n)


def report() -> None:
    """Print, as JSON, how many jobs exist and how often each one's effect happened."""
    job_ids = {str(pk) for pk in Event.objects.filter(name=JOB.name).values_list("pk", flat=True)}
    runs = dict(
        AuditEntry.objects.filter(action=EFFECT).values("target_id").annotate(n=Count("id")).values_list("target_id", "n")
    )
    print(
        json.dumps(
            {
                "events": len(job_ids),
                "effects": sum(runs.values()),
                "missing": len(job_ids - set(runs)),
                "duplicates": sum(n - 1 for n in runs.values() if n > 1),
                "pending": EventDelivery.objects.filter(status=EventDelivery.Status.PENDING).count(),
                "dead": EventDelivery.objects.filter(status=EventDelivery.Status.DEAD).count(),
            }
        )
    )
