"""One migrated template database per set of migrations, copied for every test worker.

Migrating Spona's schema costs 20-50 s of CPU, almost all of it Django rendering model states,
and pytest-django would pay it once per xdist worker and database engine. Instead the first
worker to get here migrates a template (in a subprocess, under a file lock) and every worker
copies it: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. The template's
name carries a hash of every migration file, so a changed migration builds a new one and an
unchanged set is reused by the next run on the same machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = Path(tempfile.gettempdir()) / "spona-test-templates"


def migrations_key() -> str:
    """A hash of every migration file Django would apply (Spona's and the libraries')."""
    digest = hashlib.sha256()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str, wait: bool = True) -> Iterator[bool]:
    """Hold the lock of one template while it is built, copied or dropped; ``wait=False`` yields
    False instead of waiting when another process holds it."""
    TEMPLATES.mkdir(exist_ok=True)
    with open(TEMPLATES / f"{name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(database_url: str) -> None:
    env = {**os.environ, "SPONA_DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "spona.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=REPO,
        check=True,
    )


def _server_url(db: dict, name: str) -> str:
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _sqlite_copy(key: str) -> Path:
    template = TEMPLATES / f"sqlite-{key}.sqlite3"
    # A file per worker instead of the in-memory default, so that it can start as a copy.
    workdir = Path(tempfile.mkdtemp(prefix="spona-test-"))
    with _locked(template.name):
        if not template.exists():
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            _migrate(f"sqlite:///{building}")
            with closing(sqlite3.connect(building)) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            building.rename(template)
            for stale in TEMPLATES.glob("sqlite-*.sqlite3"):
                if stale != template:
                    with _locked(stale.name, wait=False) as free:
                        if free:
                            stale.unlink(missing_ok=True)
        shutil.copyfile(template, workdir / "test.sqlite3")
    settings.DATABASES["default"]["TEST"]["NAME"] = str(workdir / "test.sqlite3")
    return workdir


def _postgres_clone(key: str) -> None:
    db = settings.DATABASES["default"]
    template = f"spona_template_{key}"
    target = db["TEST"].get("NAME") or f"test_{db['NAME']}"
    with psycopg.connect(_server_url(db, "postgres"), autocommit=True) as server, _locked(template):
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            server.execute(f'DROP DATABASE IF EXISTS "{template}_building"')
            server.execute(f'CREATE DATABASE "{template}_building"')
            _migrate(_server_url(db, f"{template}_building"))
            server.execute(f'ALTER DATABASE "{template}_building" RENAME TO "{template}"')
            stale = server.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'spona_template_%%' AND datname <> %s", [template]
            ).fetchall()
            for (name,) in stale:
                with _locked(name, wait=False) as free:
                    if free:
                        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    db["TEST"]["NAME"] = target


def _postgres_drop() -> None:
    """Drop this worker's database even when a session is still connected to it, naming any such
    session: a thread that kept its connection must not fail the whole run at its very end."""
    connections.close_all()
    db = settings.DATABASES["default"]
    target = db["TEST"]["NAME"]
    with psycopg.connect(_server_url(db, "postgres"), autocommit=True) as server:
        left_open = server.execute(
            "SELECT application_name, state, left(query, 120) FROM pg_stat_activity WHERE datname = %s", [target]
        ).fetchall()
        if left_open:
            warnings.warn(f"{len(left_open)} session(s) still connected to {target}: {left_open}", stacklevel=1)
        server.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@contextmanager
def database_from_template() -> Iterator[None]:
    """Make this worker's test database a copy of the migrated template, so that Django's set-up
    (with keepdb) finds every migration applied; the SQLite copy is removed afterwards."""
    connections.close_all()
    key = migrations_key()
    if connections["default"].vendor == "postgresql":
        _postgres_clone(key)
        yield
        _postgres_drop()
        return
    workdir = _sqlite_copy(key)
    try:
        yield
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
