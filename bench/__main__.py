"""Run Spona's benchmarks and print their figures: ``python -m bench --help``."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table

from bench.cases import BENCHMARKS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/spona_bench"
DATABASES = ("sqlite", "postgresql")
# Benchmarks of several processes writing at once: SQLite has one writer.
POSTGRES_ONLY = {"scaleout"}

EPILOG = """\
benchmarks:
{benchmarks}

examples:
  python -m bench                                  every benchmark on SQLite and PostgreSQL
  python -m bench parties --db sqlite -n 500       one benchmark, one database, 500 parties
  python -m bench api --parties 20000              the API list over 20,000 parties
  python -m bench mailin queue --db postgresql -n 500 --tickets 50000 --requests 20
                                                   support, reduced: a quick check that it runs
  python -m bench scaleout --duration 90           web and Celery worker processes under load (PostgreSQL, Redis)

PostgreSQL: the database named in SPONA_BENCH_POSTGRES_URL
(default {default}) is created
before each benchmark and dropped after it; when the server cannot be reached, the PostgreSQL
runs are skipped with a message. Its name must contain "bench". scaleout also needs Redis: the
database in SPONA_BENCH_BROKER_URL (default redis://127.0.0.1:6379/14) is emptied before and
after. Figures are also written to bench/results/.
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    listing = "\n".join(f"  {name:<10} {description}" for name, (description, _) in BENCHMARKS.items())
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure Spona: party registration rate and API list latency, on SQLite and PostgreSQL.",
        epilog=EPILOG.format(benchmarks=listing, default=DEFAULT_POSTGRES_URL),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("benchmarks", nargs="*", metavar="BENCHMARK", help=f"one of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--db", choices=[*DATABASES, "both"], default="both", help="database engine (default: both)")
    parser.add_argument("-n", "--count", type=int, default=1_000, help="parties: how many to create (default: 1,000)")
    parser.add_argument("--parties", type=int, default=100_000, help="api: parties in the list being paged (default: 100,000)")
    parser.add_argument("--requests", type=int, default=200, help="api: timed requests per page (default: 200)")
    parser.add_argument("--moves", type=int, default=1_000_000, help="onhand: done stock moves (default: 1,000,000)")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="queue: tickets in the support queue (default: 1,000,000)")
    parser.add_argument("--clients", type=int, default=8, help="reserve, scaleout: concurrent clients on PostgreSQL (default: 8)")
    parser.add_argument("--duration", type=int, default=180, help="scaleout: seconds of load (default: 180)")
    parser.add_argument("--lines", type=int, default=1_000_000, help="reports: posted lines in the ledger (default: 1,000,000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    unknown = [name for name in options.benchmarks if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return options


def run_child(name: str, options: argparse.Namespace) -> None:
    """Inside the child process: migrate the fresh database, run one benchmark, print its figures as JSON."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spona.settings")
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    _, benchmark = BENCHMARKS[name]
    figures = benchmark(
        count=options.count,
        parties=options.parties,
        requests=options.requests,
        lines=options.lines,
        moves=options.moves,
        clients=options.clients,
        tickets=options.tickets,
        duration=options.duration,
    )
    print(json.dumps({"figures": figures}))


@contextmanager
def fresh_database(engine: str, postgres_url: str) -> Iterator[dict[str, str]]:
    """Yield the environment of a child that works on a new, empty database."""
    with tempfile.TemporaryDirectory(prefix="spona-bench-") as home:
        env = {
            "SPONA_HOME": home,
            "SPONA_SECRET_KEY": secrets.token_urlsafe(50),
            "SPONA_ALLOWED_HOSTS": "testserver",
            "SPONA_LOG_LEVEL": "WARNING",
            "SPONA_DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "spona.settings",
        }
        if engine == "sqlite":
            yield {**env, "SPONA_DATABASE_URL": f"sqlite:///{home}/bench.sqlite3"}
            return
        _postgres_admin(postgres_url, "DROP DATABASE IF EXISTS {}", "CREATE DATABASE {}")
        try:
            yield {**env, "SPONA_DATABASE_URL": postgres_url}
        finally:
            _postgres_admin(postgres_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _postgres_admin(url: str, *statements: str) -> None:
    """Run statements about the benchmark database (named in ``url``) from the server's maintenance database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    database = sql.Identifier(parts.path.lstrip("/"))
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(sql.SQL(statement).format(database))


def postgres_unreachable(url: str) -> str:
    """Return why PostgreSQL cannot be used for benchmarks, or '' when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'spona[pg]')"
    parts = urlsplit(url)
    if "bench" not in parts.path.strip("/"):
        # The runner drops and recreates this database: never let it be a real one.
        return f"the database in {url} must have 'bench' in its name, because each run drops it"
    try:
        psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return ""


def main(argv: list[str]) -> int:
    options = parse_args(argv)
    if options.child:
        run_child(options.child, options)
        return 0
    console = Console(highlight=False)
    names = options.benchmarks or list(BENCHMARKS)
    engines = list(DATABASES) if options.db == "both" else [options.db]
    postgres_url = os.environ.get("SPONA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if "postgresql" in engines and (reason := postgres_unreachable(postgres_url)):
        console.print(f"[yellow]Skipping PostgreSQL: {reason}[/]")
        engines.remove("postgresql")
    table = Table(title="Spona benchmarks", title_justify="left")
    for column in ("Benchmark", "Database", "Figure"):
        table.add_column(column)
    table.add_column("Value", justify="right")
    results: list[dict[str, object]] = []
    failed = False
    for name in names:
        for engine in engines:
            if engine == "sqlite" and name in POSTGRES_ONLY:
                console.print(f"[yellow]{name}: PostgreSQL only (several processes write at once); not run on SQLite[/]")
                continue
            console.print(f"Running {name} on {engine} …")
            started = time.perf_counter()
            with fresh_database(engine, postgres_url) as env:
                child = subprocess.run(
                    [sys.executable, "-m", "bench", "--child", name, *_child_options(options)],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    capture_output=True,
                    text=True,
                    check=False,
                )
            figures = _figures(child.stdout)
            if child.returncode != 0:
                failed = True
                console.print(f"[red]{name} on {engine} failed:[/]\n{child.stderr[-3000:]}")
            if figures is None:
                continue
            for figure, (value, unit) in figures.items():
                table.add_row(name, engine, figure, f"{value:,.1f} {unit}".strip() if unit else f"{value:,.0f}")
            results.append({"benchmark": name, "database": engine, "figures": figures})
            console.print(f"  done in {time.perf_counter() - started:.0f} s")
    console.print(table)
    if results:
        folder = ROOT / "bench" / "results"
        folder.mkdir(exist_ok=True)
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(results, indent=2))
        console.print(f"Figures written to {path.relative_to(ROOT)}")
    return 1 if failed else 0


def _figures(stdout: str) -> dict[str, list[float | str]] | None:
    """The figures a child printed as its last line; a benchmark that fails a check prints them too."""
    lines = stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])["figures"] if lines else None
    except (ValueError, KeyError, TypeError):
        return None


def _child_options(options: argparse.Namespace) -> list[str]:
    return [
        "--count",
        str(options.count),
        "--parties",
        str(options.parties),
        "--requests",
        str(options.requests),
        "--lines",
        str(options.lines),
        "--moves",
        str(options.moves),
        "--clients",
        str(options.clients),
        "--tickets",
        str(options.tickets),
        "--duration",
        str(options.duration),
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
