"""The kernel's background tasks, used when a task queue's workers deliver events (the scale-out mode).

In the embedded mode the web process delivers a change's events right after commit and
``spona worker`` polls for the rest; with a broker (``SPONA_BROKER_URL``) the same two jobs become
tasks: ``deliver_events`` right after commit, ``deliver_due`` and ``run_schedule`` from beat.
"""

from __future__ import annotations

import time
from datetime import timedelta

from spona.core import events, schedule
from spona.tasks import task

# The catch-up leaves alone deliveries younger than this: the task enqueued after their commit
# is about to deliver them, and two workers racing for the same rows only waste locks.
SETTLE = timedelta(seconds=5)
# One catch-up stops after this long, so that runs do not pile up behind each other; the next
# beat continues where it stopped.
CATCH_UP_BUDGET_SECONDS = 20.0
BATCH = 200


@task()
def deliver_events(delivery_ids: list[int]) -> int:
    """Deliver the deliveries one transaction created; return how many succeeded."""
    return events.deliver_all(delivery_ids)


@task()
def deliver_due() -> int:
    """Deliver everything due that no one delivered yet (retries, lost messages, a killed worker's); return how many."""
    delivered = 0
    deadline = time.monotonic() + CATCH_UP_BUDGET_SECONDS
    while time.monotonic() < deadline:
        ids = events.due_delivery_ids(BATCH, settled_for=SETTLE)
        if not ids:
            break
        outcomes = [events.deliver(pk) for pk in ids]
        delivered += outcomes.count(events.Outcome.DONE)
        if all(outcome is events.Outcome.SKIPPED for outcome in outcomes):
            # Other workers hold every one of them right now: they will finish them.
            break
    return delivered


@task()
def run_schedule() -> list[str]:
    """Run the periodic jobs that are due; return their names."""
    return schedule.run_due()
