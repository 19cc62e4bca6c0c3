"""``spona run``: prepare the database and static files, then run the web server and the worker."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser, ArgumentTypeError, RawDescriptionHelpFormatter
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from rich.console import Console

from spona.core import demo
from spona.core.management.commands.demo import build_with_progress, console_for, logins_table
from spona.core.models import Company, User

DESCRIPTION = """\
Run Spona on this machine: the quickest way to try it, and a fine way to run it for a
small company.

It updates the database (creating it on first start: SQLite in ./var unless
SPONA_DATABASE_URL says otherwise), builds the demo company when the database has no
company yet, prepares the static files, then starts the web server and one background
worker, and prints the address and the demo logins. Stop both with Ctrl+C.

examples:
  spona run                                 http://127.0.0.1:8000 with the demo company
  spona run --no-demo                       start empty; then create your company with
                                            `spona createadmin`
  spona run --host 0.0.0.0 --port 8080      reachable from other machines (add the host
                                            name to SPONA_ALLOWED_HOSTS)
"""

# How long the web server and the worker get to finish their current work after Ctrl+C.
STOP_TIMEOUT = 15.0
START_TIMEOUT = 60.0


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise ArgumentTypeError("must be between 1 and 65535")
    return port


def _processes(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from None
    if count < 1:
        raise ArgumentTypeError("must be at least 1")
    return count


def _url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 (names the any-address, binds nothing)
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def _wait_until_listening(host: str, port: int, server: subprocess.Popen[bytes], stop: threading.Event) -> bool:
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 (connects, binds nothing)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None and not stop.is_set():
        try:
            with socket.create_connection((target, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _static_sources() -> str:
    """Fingerprint the static source files (names, sizes, times) that collectstatic would collect."""
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


class Command(BaseCommand):
    help = DESCRIPTION
    # migrate runs the system checks; running them twice only slows the start.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the line breaks of the description and examples.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
        parser.add_argument("--port", type=_port, default=8000, help="port to listen on (default: %(default)s)")
        parser.add_argument(
            "--workers",
            type=_processes,
            default=1,
            metavar="N",
            help="web server processes (default: %(default)s); more serve more users at once",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background worker (when you run `spona worker` yourself, elsewhere)",
        )
        parser.add_argument("--no-demo", action="store_true", help="do not build the demo company on an empty database")

    def handle(self, *args: Any, host: str, port: int, workers: int, no_worker: bool, no_demo: bool, **options: Any) -> None:
        if settings.DEBUG:
            raise CommandError(
                "spona run serves Spona as in production and refuses to run with SPONA_DEBUG on; "
                "unset it, or use `spona runserver` for development.",
                returncode=1,
            )
        console = console_for(self.stdout)
        try:
            self.prepare(console, build_demo=not no_demo)
        except KeyboardInterrupt:
            # Each step is one transaction (the demo too), so stopping here leaves nothing half done.
            raise CommandError("Interrupted before the start; nothing is running.", returncode=130) from None
        except DatabaseError as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(
                f"The database could not be prepared: {first_line}. Check SPONA_DATABASE_URL; a database role "
                "without the right to change tables needs `spona migrate` run by the owner role first.",
                returncode=1,
            ) from None
        self.hint_allowed_hosts(console, host)
        children: dict[str, subprocess.Popen[bytes]] = {}
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            # Own sessions: Ctrl+C reaches only this process, which then stops both children
            # once, in order, instead of each child getting the signal twice.
            server = [sys.executable, "-m", "uvicorn", "spona.asgi:application", "--lifespan", "off"]
            server += ["--host", host, "--port", str(port), "--workers", str(workers)]
            # The command lines are ours; only validated numbers and the host name come from options.
            children["web server"] = subprocess.Popen(server, start_new_session=True)  # noqa: S603
            if not no_worker:
                # With a broker it is a Celery worker, and the only one this command knows of: it runs the clock too.
                worker = [sys.executable, "-m", "spona", "worker", *(["--beat"] if settings.BROKER_URL else [])]
                children["worker"] = subprocess.Popen(worker, start_new_session=True)  # noqa: S603
            if not _wait_until_listening(host, port, children["web server"], stop) and not stop.is_set():
                raise CommandError(f"The web server did not start on {host}:{port}; see its messages above.", returncode=1)
            if not stop.is_set():
                self.announce(console, host, port, children)
            failed = self.supervise(children, stop)
        finally:
            self.stop_children(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError(f"The {failed} stopped unexpectedly, so Spona was shut down.", returncode=1)
        console.print("Spona has stopped.")

    def prepare(self, console: Console, *, build_demo: bool) -> None:
        """Migrate, create the cache table, build the demo on an empty database, collect static files."""
        console.print("Updating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if build_demo and not Company.objects.exists():
            console.print("The database is empty: building the demo company (one time only) …")
            build_with_progress(console, organisations=demo.DEFAULT_ORGANISATIONS, persons=demo.DEFAULT_PERSONS)
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        stamp = Path(settings.STATIC_ROOT).with_name("static.sources")
        sources = _static_sources()
        if not manifest.exists() or not stamp.exists() or stamp.read_text() != sources:
            # Hashing and compressing every file takes a while, so it happens only when a
            # source file changed (a first start, an upgrade, a new `make static`).
            console.print("Preparing the static files (after an install or upgrade only) …")
            call_command("collectstatic", interactive=False, verbosity=0)
            stamp.write_text(sources)
        if manifest.exists() and "vendor/css/bootstrap.min.css" not in json.loads(manifest.read_text()).get("paths", {}):
            console.print("[yellow]The front-end packages are missing, so pages will look bare: run `make static` first.[/]")

    def hint_allowed_hosts(self, console: Console, host: str) -> None:
        if host in ("0.0.0.0", "::"):  # noqa: S104 (compares, binds nothing)
            console.print(
                "Listening on every network interface: other machines reach Spona only by a name listed in "
                f"SPONA_ALLOWED_HOSTS (now: {', '.join(settings.ALLOWED_HOSTS)})."
            )
        elif host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            console.print(f"[yellow]{host} is not in SPONA_ALLOWED_HOSTS, so requests to it will be refused.[/]")

    def announce(self, console: Console, host: str, port: int, children: dict[str, subprocess.Popen[bytes]]) -> None:
        processes = ", ".join(f"{name} (pid {child.pid})" for name, child in children.items())
        console.print()
        console.print(f"[bold green]Spona is running at {_url(host, port)}[/]")
        console.print(f"Started: {processes}.")
        if "worker" not in children:
            console.print("[yellow]No background worker: rules, webhooks and other apps react only while `spona worker` runs.[/]")
        demo_logins = [login for login in demo.logins() if User.objects.filter(email=login.email, is_active=True).exists()]
        if demo.exists() and demo_logins:
            console.print(logins_table(demo_logins))
        elif not User.objects.exists():
            console.print("There is no user yet: create your company's administrator with `spona createadmin`.")
        console.print("Press Ctrl+C to stop.")

    def supervise(self, children: dict[str, subprocess.Popen[bytes]], stop: threading.Event) -> str:
        """Wait until asked to stop; return the name of a child that died on its own, else ''."""
        while not stop.wait(0.5):
            for name, child in children.items():
                if child.poll() is not None:
                    return name
        return ""

    def stop_children(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        """Ask every child to finish its current work, then end the ones that do not in time."""
        running = [child for child in children.values() if child.poll() is None]
        for child in running:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in running:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
