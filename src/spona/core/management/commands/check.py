"""``spona check``: Django's system checks plus Spona's health checks, as one OK/FAIL table."""

from __future__ import annotations

import json
import os
import sqlite3
from argparse import RawDescriptionHelpFormatter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError, CommandParser, SystemCheckError
from django.core.management.commands import check as django_check
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.utils import timezone
from rich.table import Table
from rich.text import Text

from spona.core.management.commands.demo import console_for
from spona.core.models import EventDelivery

DESCRIPTION = """\
Check that this Spona installation is healthy, and print one line per check:

  Django system checks   the configuration and models (Django's own `check`)
  Database               reachable, and which engine and version
  Migrations             every migration applied (else: spona migrate)
  Secret key             where it comes from (SPONA_SECRET_KEY or the generated file)
  Debug mode             off (SPONA_DEBUG must never be on in production)
  Allowed hosts          the host names the server answers to (SPONA_ALLOWED_HOSTS)
  E-mail                 how mail leaves Spona (SPONA_EMAIL_URL)
  Static files           collected, with the front-end packages (spona collectstatic)
  Cache                  usable (spona createcachetable)
  Outbox                 events waiting for delivery, and dead letters
  Worker                 whether background work is being picked up (spona worker)

OK and WARN are fine to run with; the exit status is 1 when any line is FAIL, so the command
can serve as a deployment gate or a monitoring probe. Options of Django's `check` (such as
--deploy, --tag, --fail-level) work as usual.
"""

OK, WARN, FAIL = "OK", "WARN", "FAIL"
# Work due for longer than this means no worker is picking it up.
WORKER_LAG = timedelta(minutes=5)


@dataclass(frozen=True)
class Result:
    name: str
    status: str
    detail: str


def _database() -> Result:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"])).name
        return Result("Database", OK, f"SQLite {sqlite3.sqlite_version}, file {name}")
    version = ""
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)  # type: ignore[attr-defined]
        version = f" {major}.{minor}"
    params = connection.settings_dict
    host = params["HOST"] or "the local socket"
    return Result("Database", OK, f"{connection.display_name}{version}, database {params['NAME']} on {host}")


def _migrations() -> Result:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:3])
        more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
        return Result("Migrations", FAIL, f"{len(plan)} not applied ({names}{more}): run spona migrate")
    return Result("Migrations", OK, "all applied")


def _secret_key() -> Result:
    if os.environ.get("SPONA_SECRET_KEY"):
        if len(settings.SECRET_KEY) < 50:
            return Result("Secret key", WARN, "SPONA_SECRET_KEY is shorter than 50 characters")
        return Result("Secret key", OK, "from SPONA_SECRET_KEY")
    path = settings.HOME / "secret_key"
    if not path.exists():
        return Result("Secret key", FAIL, f"neither SPONA_SECRET_KEY nor {path} is there")
    if path.stat().st_mode & 0o077:
        return Result("Secret key", WARN, f"generated file {path} is readable by other users: chmod 600 it")
    return Result("Secret key", OK, f"generated file {path}")


def _debug() -> Result:
    if settings.DEBUG:
        return Result("Debug mode", FAIL, "SPONA_DEBUG is on: error pages show internals; never run it so in production")
    return Result("Debug mode", OK, "off")


def _allowed_hosts() -> Result:
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        return Result("Allowed hosts", FAIL, "none: every request is refused; set SPONA_ALLOWED_HOSTS")
    if "*" in hosts:
        return Result("Allowed hosts", FAIL, "'*' answers any Host header (forged reset links); list your host names")
    return Result("Allowed hosts", OK, ", ".join(hosts))


def _email() -> Result:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "smtp":
        security = "SSL" if settings.EMAIL_USE_SSL else "STARTTLS" if settings.EMAIL_USE_TLS else "no TLS"
        return Result("E-mail", OK, f"SMTP via {settings.EMAIL_HOST}:{settings.EMAIL_PORT} ({security})")
    where = {"console": "printed to the console", "filebased": "written to files", "locmem": "kept in memory"}
    return Result("E-mail", WARN, f"{where.get(backend, backend)}, not sent: set SPONA_EMAIL_URL to an SMTP server")


def _static_files() -> Result:
    if settings.DEBUG:
        return Result("Static files", OK, "served from the app folders (debug mode)")
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return Result("Static files", FAIL, f"not collected into {settings.STATIC_ROOT}: run spona collectstatic")
    paths = json.loads(manifest.read_text()).get("paths", {})
    if "vendor/css/bootstrap.min.css" not in paths:
        return Result("Static files", FAIL, "front-end packages missing: run make static, then spona collectstatic")
    return Result("Static files", OK, f"{len(paths)} files in {settings.STATIC_ROOT}")


def _cache() -> Result:
    key = "spona:check"
    try:
        cache.set(key, "ok", 10)
    except DatabaseError:
        return Result("Cache", FAIL, "its table is missing: run spona createcachetable")
    if cache.get(key) != "ok":
        return Result("Cache", FAIL, "a value written could not be read back")
    cache.delete(key)
    return Result("Cache", OK, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])


def _outbox() -> Result:
    counts = dict(EventDelivery.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    pending, dead = counts.get(EventDelivery.Status.PENDING, 0), counts.get(EventDelivery.Status.DEAD, 0)
    detail = f"{pending} pending, {dead} dead"
    if dead:
        return Result("Outbox", FAIL, f"{detail}: see Administration → Outbox, fix the cause, replay them")
    return Result("Outbox", OK, detail)


def _worker() -> Result:
    """Judge the worker by the oldest work waiting for it: it records no heartbeat of its own."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    late = timezone.now() - WORKER_LAG
    deliveries = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, next_attempt_at__lte=late).count()
    jobs = (
        DBTaskResult.objects.ready()  # type: ignore[attr-defined]  # a queryset method the stubs cannot see
        .filter(enqueued_at__lte=late)
        .exclude(run_after__gt=late, run_after__lt=get_date_max())
        .count()
    )
    minutes = int(WORKER_LAG.total_seconds() // 60)
    if deliveries or jobs:
        return Result(
            "Worker",
            FAIL,
            f"{deliveries} event deliveries and {jobs} jobs waiting over {minutes} min: is `spona worker` running?",
        )
    return Result("Worker", OK, f"nothing has waited over {minutes} min")


# (name, check, needs the database), in the order the table shows them.
CHECKS: list[tuple[str, Callable[[], Result], bool]] = [
    ("Migrations", _migrations, True),
    ("Secret key", _secret_key, False),
    ("Debug mode", _debug, False),
    ("Allowed hosts", _allowed_hosts, False),
    ("E-mail", _email, False),
    ("Static files", _static_files, False),
    ("Cache", _cache, False),
    ("Outbox", _outbox, True),
    ("Worker", _worker, True),
]


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def health_checks() -> list[Result]:
    """Run every health check; a check that crashes is reported as FAIL with its error."""
    try:
        results = [_database()]
    except DatabaseError as exc:
        results = [Result("Database", FAIL, f"not reachable: {_first_line(exc)}")]
    database_ok = results[0].status == OK
    for name, check, needs_database in CHECKS:
        if needs_database and not database_ok:
            results.append(Result(name, FAIL, "skipped: no database"))
            continue
        try:
            results.append(check())
        except Exception as exc:
            results.append(Result(name, FAIL, f"{type(exc).__name__}: {_first_line(exc)}"))
    return results


class Command(django_check.Command):
    help = DESCRIPTION

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the line breaks of the description.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--system-only", action="store_true", help="run only Django's system checks, as the classic `check` does"
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        if options["list_tags"] or options["system_only"]:
            super().handle(*app_labels, **options)
            return
        try:
            super().handle(*app_labels, **options)
            results = [Result("Django system checks", OK, "no problems at the chosen level")]
        except SystemCheckError as exc:
            self.stderr.write(str(exc))
            results = [Result("Django system checks", FAIL, "see the messages above")]
        results += health_checks()
        console = console_for(self.stdout)
        table = Table(title="Spona health", title_justify="left")
        table.add_column("Check")
        table.add_column("Result")
        table.add_column("Details", overflow="fold")
        colour = {OK: "green", WARN: "yellow", FAIL: "bold red"}
        for result in results:
            table.add_row(result.name, Text(result.status, style=colour[result.status]), Text(result.detail))
        console.print(table)
        failed = [r.name for r in results if r.status == FAIL]
        if failed:
            raise CommandError(f"{len(failed)} check(s) failed: {', '.join(failed)}.", returncode=1)
        console.print("All checks passed." if all(r.status == OK for r in results) else "No check failed; see the warnings.")
