"""``spona worker``: deliver events and run background jobs (see ``spona.core.worker``)."""

from __future__ import annotations

import importlib
import logging
import math
from argparse import ArgumentParser, ArgumentTypeError, RawDescriptionHelpFormatter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.core.worker import Worker, stop_on_signals

DESCRIPTION = """\
Run Spona's background worker. It delivers domain events to their handlers (other apps,
automation rules, webhooks) and runs queued background jobs.

On start it first catches up on everything that is due, including work a crashed process
left behind; then it keeps polling. A handler that fails is retried with growing pauses;
after SPONA_EVENTS_MAX_ATTEMPTS failures the delivery becomes a dead letter that an
administrator can replay. You can run several workers at once against PostgreSQL: they
never take the same work.

Stop it with Ctrl+C or SIGTERM: it finishes the delivery or job in progress, then exits.
Press Ctrl+C a second time to stop at once (the interrupted work is rolled back and retried).

With SPONA_BROKER_URL set (the scale-out mode), `spona worker` runs a Celery worker instead:
it takes tasks and event deliveries from the broker. Exactly one process of the installation
must also run the clock that sends the periodic catch-up and jobs: `--beat` here, or
`celery -A spona.celery beat` on its own. --interval and --batch do not apply then; --once
still delivers every due event from the database and exits.

examples:
  spona worker                      run until stopped (what `spona run` starts for you)
  spona worker --once               deliver everything due, then exit (cron, scripts)
  spona worker --import myplugin    also load the event handlers in module myplugin
  spona worker --beat               with a broker: a Celery worker that also runs the clock
  spona worker --concurrency 4      with a broker: four worker processes
"""


def _interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ArgumentTypeError("must be zero or more seconds")
    return seconds


def _batch(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from None
    if size < 1:
        raise ArgumentTypeError("must be at least 1")
    return size


class Command(BaseCommand):
    help = DESCRIPTION

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the line breaks of the description and examples.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="deliver every due event and run every queued job, then exit instead of waiting for more",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=1.0,
            metavar="SECONDS",
            help="pause between polls when there is nothing to do (default: %(default)s)",
        )
        parser.add_argument(
            "--batch",
            type=_batch,
            default=100,
            metavar="N",
            help="deliveries and jobs taken per round before checking for a stop request (default: %(default)s)",
        )
        parser.add_argument(
            "--import",
            dest="modules",
            action="append",
            default=[],
            metavar="MODULE",
            help="load extra handler modules (a plugin's event types and handlers) before starting; repeatable",
        )
        parser.add_argument(
            "--beat",
            action="store_true",
            help="with SPONA_BROKER_URL: also send the periodic catch-up and jobs (one process per installation)",
        )
        parser.add_argument(
            "--concurrency",
            type=_batch,
            default=None,
            metavar="N",
            help="with SPONA_BROKER_URL: worker processes (default: one per CPU)",
        )

    def handle(
        self,
        *args: Any,
        once: bool,
        interval: float,
        batch: int,
        modules: list[str],
        beat: bool,
        concurrency: int | None,
        **options: Any,
    ) -> None:
        if (beat or concurrency) and not settings.BROKER_URL:
            raise CommandError("--beat and --concurrency are for Celery workers: set SPONA_BROKER_URL.")
        for name in modules:
            try:
                importlib.import_module(name)
            except ImportError as exc:
                raise CommandError(f"Cannot load handler module {name!r}: {exc}") from None
        if settings.BROKER_URL and not once:
            from spona.celery import start_worker

            levels = {0: "WARNING", 1: "INFO"}
            start_worker(concurrency=concurrency, beat=beat, loglevel=levels.get(options["verbosity"], "DEBUG"))
            return
        worker = Worker(interval=interval, batch=batch)
        with quiet_job_logs(options["verbosity"]), stop_on_signals(worker):
            stats = worker.run(once=once)
        if options["verbosity"] > 0:
            self.stdout.write(f"Worker finished: {stats}.")


@contextmanager
def quiet_job_logs(verbosity: int) -> Iterator[None]:
    """Keep the log to one line per failure unless asked for more (``-v 2``).

    django-tasks logs two lines per job and a traceback per failure; the worker logs one line
    per failure itself, and the traceback stays on the job's result or the event delivery.
    """
    levels = {"django_tasks": logging.DEBUG if verbosity >= 2 else logging.CRITICAL}
    if verbosity == 0:
        levels["spona.core.worker"] = logging.WARNING
    previous = {name: logging.getLogger(name).level for name in levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)
