"""Celery behind the tasks facade: the scale-out mode (DESIGN §7, §8), on when ``SPONA_BROKER_URL`` is set.

Settings then name ``CeleryBackend`` as the ``django-tasks`` backend, so ``some_task.enqueue(…)``
anywhere in Spona sends a message to the broker (Redis, or RabbitMQ through kombu) instead of
writing a row of the database queue. One Celery task, ``spona.run``, runs any facade task by its
import path; nothing else in Spona knows Celery exists.

What the workers do (``spona worker`` starts one; ``celery -A spona.celery beat`` the clock):

* the facade's tasks, each acknowledged only after it ran, so a task of a killed worker is
  delivered again (tasks are thin wrappers over services that check state: at-least-once is safe);
  transient failures (database connection lost, serialization failure, network) are retried
  with exponential backoff;
* the outbox's event deliveries: after a commit, ``spona.core.events`` enqueues the new
  deliveries (``spona.core.tasks.deliver_events``); beat runs ``deliver_due`` every few seconds,
  which takes whatever is still due (retries after backoff, a lost message, a killed worker's
  work), so the database outbox stays the source of truth and nothing is lost with a message;
* the periodic jobs of ``spona.core.schedule``, from beat through ``run_schedule``; the job's row
  lock keeps a job to one run even if two beats were started by mistake.
"""

from __future__ import annotations

import logging
import os
from typing import Any, TypeVar

from celery import Celery
from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django_tasks.exceptions import InvalidTaskError
from django_tasks.utils import get_exception_traceback, get_module_path, get_random_id
from kombu.exceptions import OperationalError as BrokerError
from typing_extensions import ParamSpec

# Celery's Django fix-up (django.setup() in each worker process, database connections closed
# around every task) switches itself on only when this variable is set.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spona.settings")

logger = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")

# How often beat asks for due event deliveries and for due periodic jobs (seconds). A beat
# message older than its interval is dropped: when workers were down, one catch-up is enough.
CATCH_UP_EVERY = 5.0
SCHEDULE_EVERY = 30.0
# Errors worth another try: the database restarted or a transaction lost a serialization race
# (psycopg raises both as OperationalError), a connection dropped, a mail or web server was
# unreachable (OSError covers sockets and smtplib). Anything else is a bug or bad data: no retry.
TRANSIENT = (OperationalError, InterfaceError, OSError)
MAX_RETRIES = 5

app = Celery("spona")
# CELERY_BROKER_URL and CELERY_BROKER_TRANSPORT_OPTIONS come from SPONA_* variables in settings.py.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_default_queue="default",
    task_serializer="json",
    accept_content=["json"],
    # Spona keeps no task results in the broker: tasks change the database, which is the record.
    task_ignore_result=True,
    # Acknowledge after the task ran, and give it back when its worker process dies: a killed
    # worker's task runs again elsewhere (Redis hands it out after the visibility timeout).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # Take one message at a time, so a killed worker holds as little unstarted work as possible.
    worker_prefetch_multiplier=1,
    # Django's LOGGING stays in charge of the log format and level.
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "deliver-due-events": {
            "task": "spona.run",
            "schedule": CATCH_UP_EVERY,
            "args": ("spona.core.tasks.deliver_due", [], {}),
            "options": {"expires": CATCH_UP_EVERY},
        },
        "run-periodic-jobs": {
            "task": "spona.run",
            "schedule": SCHEDULE_EVERY,
            "args": ("spona.core.tasks.run_schedule", [], {}),
            "options": {"expires": SCHEDULE_EVERY},
        },
    },
)


@app.task(
    name="spona.run",
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def run(task_path: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Run the facade task at ``task_path`` (a module-level ``@task`` function) with its arguments."""
    task = import_string(task_path)
    if not isinstance(task, Task):
        raise TypeError(f"{task_path} is not a Spona task (decorate it with spona.tasks.task).")
    task.call(*args, **kwargs)


class CeleryBackend(BaseTaskBackend):
    """The ``django-tasks`` backend that sends each enqueued task to Celery.

    Results are not kept (``get_result`` is unsupported): the returned ``TaskResult`` carries the
    Celery message id, for logs. ``run_after`` becomes the message's ETA.
    """

    supports_defer = True

    def validate_task(self, task: Task[Any, Any]) -> None:
        super().validate_task(task)
        if task.takes_context:
            raise InvalidTaskError("The Celery backend does not pass a task context; drop takes_context.")

    def enqueue(self, task: Task[P, T], args: P.args, kwargs: P.kwargs) -> TaskResult[T]:  # type: ignore[valid-type]
        self.validate_task(task)
        message_id = get_random_id()
        status, errors = TaskResultStatus.READY, []
        try:
            run.apply_async(
                args=(task.module_path, list(args), dict(kwargs)),
                task_id=message_id,
                queue=task.queue_name,
                eta=task.run_after,
            )
        except BrokerError as exc:
            # Tasks are enqueued after the caller's commit: failing now would answer an error for
            # a change that was saved. The work stays recorded in the database (webhook and mail
            # deliveries are sent again by their periodic jobs; an import job stays queued).
            logger.error("Task %s%s not queued, the broker is unreachable: %s", task.module_path, tuple(args), exc)
            status = TaskResultStatus.FAILED
            errors = [TaskError(exception_class_path=get_module_path(type(exc)), traceback=get_exception_traceback(exc))]
        return TaskResult(
            task=task,
            id=message_id,
            status=status,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=errors,
            worker_ids=[],
        )


def start_worker(*, concurrency: int | None, beat: bool, loglevel: str) -> None:
    """Run a Celery worker in this process until it is stopped (what ``spona worker`` does with a broker).

    It consumes the queues of the tasks backend. Gossip and mingle (workers talking to each other
    through the broker) are off: Spona uses neither, and they cost broker traffic and a second at start.
    ``beat`` also runs the clock in this process: for exactly one worker of an installation.
    """
    from django_tasks import task_backends

    argv = [
        "worker",
        f"--loglevel={loglevel}",
        f"--queues={','.join(sorted(task_backends['default'].queues))}",
        f"--hostname=spona-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv.append("--beat")
    app.worker_main(argv)
