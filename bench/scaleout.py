"""Scale-out, for real (DESIGN §8, QUALITY J1): several web and Celery worker processes under a mixed load.

On the fresh PostgreSQL benchmark database this prepares a company (ledger, warehouse, stock,
staff with API tokens, customers), then starts on loopback, in the scale-out mode
(``SPONA_BROKER_URL``): 2 web processes (``uvicorn --workers 2``), 2 Celery workers
(``spona worker``) and beat. Locust drives a bounded mixed load through the REST API for
``--duration`` seconds with ``--clients`` users. Early in the second half one Celery worker is
killed with SIGKILL (its process group, as a lost machine) and started again a few seconds
later. When the load ends and the outbox has drained, the integrity checkers run: the ledger
(every posted entry balanced, monthly balances equal to the lines, hash chains intact), the
stock (on hand and reservations against moves, valuation against the ledger) and the outbox
(every event delivered once to every handler, nothing pending or dead).

The figures: throughput, latency p50/p95, event delivery lag (publish → done) p50/p95/max and
the number of problems each checker found. A checker's problem fails the benchmark. Every
process started here is stopped, whatever happens. The Redis database named in
SPONA_BENCH_BROKER_URL (default redis://127.0.0.1:6379/14) is emptied before and after.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Figures = dict[str, tuple[float, str]]
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
CUSTOMERS = 20
DRAIN_TIMEOUT_SECONDS = 300


class CheckFailed(Exception):
    """An integrity checker found a problem; the figures were printed before."""


def _world() -> dict[str, Any]:
    """The company the load works in, and what the locust users need to call the API (as JSON)."""
    from bench import o2c
    from spona.back.finance.models import Account, Tax
    from spona.core import services as core

    world = o2c._setup()
    company, staff = world["company"], world["staff"]
    staff["support"] = core.user_create(
        actor=None, company=company, email="support@bench.example", full_name="Bench support", roles=["support"]
    )
    tokens = {
        role: core.token_create(actor=user, company=company, name="scale-out bench", scope="write")[1]
        for role, user in staff.items()
    }
    customers = [
        core.party_create(
            actor=staff["sales"],
            company=company,
            data=core.PartyInput(kind="organisation", name=f"Bench Customer {n:02d} d.o.o.", roles=["customer"]),
        ).pk
        for n in range(CUSTOMERS)
    ]
    income = (
        Account.objects.filter(company=company, type=Account.Type.INCOME, is_group=False, is_active=True).order_by("code").first()
    )
    assert income is not None, "the ledger setup made no income account"
    return {
        "company": company,
        "load": {
            "tokens": tokens,
            "customers": customers,
            "products": [p.pk for p in world["products"]],
            "income_account": income.pk,
            "tax": Tax.objects.get(company=company, use="sales", amount=20).pk,
        },
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Processes:
    """The processes this benchmark started, each in a session of its own so that it dies with its children."""

    home: Path
    env: dict[str, str]
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        """SIGKILL the process and its children: the worker gets no chance to finish or hand anything back."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def check_alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str) -> str:
        path = self.home / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()


def _wait_for_web(port: int, token: str, processes: Processes, timeout: float = 120) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/parties?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    while True:
        processes.check_alive()
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback, our own server)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the web processes did not answer within {timeout:.0f} s:\n{processes.log_tail('web')}")
        time.sleep(0.5)


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _locust_figures(prefix: Path) -> Figures:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    total = rows.pop("Aggregated")
    reads = [r for name, r in rows.items() if name.startswith("GET")]
    figures: Figures = {
        "requests": (float(total["Request Count"]), ""),
        "failed requests": (float(total["Failure Count"]), ""),
        "throughput": (float(total["Requests/s"]), "req/s"),
        "latency p50": (float(total["50%"]), "ms"),
        "latency p95": (float(total["95%"]), "ms"),
    }
    failures = prefix.parent / f"{prefix.name}_failures.csv"
    with failures.open() as f:
        for row in csv.DictReader(f):
            label = f"failed: {row['Name']}: {row['Error'][:200]}"
            figures[label] = (figures.get(label, (0.0, ""))[0] + float(row["Occurrences"]), "")
    if reads:
        figures["reads p50 (lists of 50)"] = (statistics.median(float(r["50%"]) for r in reads), "ms")
    for name, label in (("POST invoices/{id}/post", "invoice post"), ("POST orders/{id}/confirm", "order confirm")):
        if name in rows:
            figures[f"{label} p50 / p95"] = (float(rows[name]["50%"]), f"/ {float(rows[name]['95%']):,.0f} ms")
    return figures


def _wait_for_drain(processes: Processes) -> float:
    """Wait until no event delivery is pending; return the seconds it took."""
    from spona.core.models import EventDelivery

    started = time.monotonic()
    while EventDelivery.objects.filter(status=EventDelivery.Status.PENDING).exists():
        processes.check_alive()
        if time.monotonic() - started > DRAIN_TIMEOUT_SECONDS:
            break  # the outbox checker reports what is left
        time.sleep(0.5)
    return time.monotonic() - started


def _delivery_lag(since: Any) -> Figures:
    from spona.core.models import EventDelivery

    rows = EventDelivery.objects.filter(event__occurred_at__gte=since, processed_at__isnull=False)
    lags = sorted(
        (done - published).total_seconds() * 1000 for published, done in rows.values_list("event__occurred_at", "processed_at")
    )
    return {
        "events published during the load": (float(rows.values("event").distinct().count()), ""),
        "deliveries done": (float(len(lags)), ""),
        "delivery lag p50": (_percentile(lags, 0.5), "ms"),
        "delivery lag p95": (_percentile(lags, 0.95), "ms"),
        "delivery lag max": (lags[-1] if lags else 0.0, "ms"),
    }


def _unbalanced_entries(company: Any) -> list[str]:
    from django.db.models import Sum

    from spona.back.finance.models import JournalLine

    rows = (
        JournalLine.objects.filter(company=company, entry__state="posted")
        .values("entry_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("entry_id")
    )
    return [f"entry {r['entry_id']}: debit {r['debit']} ≠ credit {r['credit']}" for r in rows if r["debit"] != r["credit"]]


def _checkers(company: Any) -> dict[str, Callable[[], list[str]]]:
    from spona.back.finance.selectors import balance_check, ledger_verify
    from spona.back.inventory.reports import valuation_check
    from spona.back.inventory.selectors import stock_check
    from spona.core.selectors import delivery_check

    return {
        "ledger: unbalanced entries": lambda: _unbalanced_entries(company),
        "ledger: balances ≠ lines": lambda: balance_check(company=company),
        "ledger: chain breaks": lambda: [
            f"journal {b.journal} at {b.position}: {b.reason}" for b in ledger_verify(company=company)
        ],
        "stock: mismatches": lambda: [
            f"product {m.product_id}: {m.kind} {m.actual} ≠ {m.expected}" for m in stock_check(company)
        ],
        "stock: valuation ≠ ledger": lambda: valuation_check(company),
        "outbox: events not delivered once": lambda: delivery_check(company=company),
    }


def scale_out(*, duration: int, clients: int, **_: Any) -> Figures:
    """Run the load against 2 web processes and 2 Celery workers (one killed mid-run); return the figures."""
    import redis
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise RuntimeError("the scale-out benchmark needs PostgreSQL")
    broker_url = os.environ.get("SPONA_BENCH_BROKER_URL", DEFAULT_BROKER_URL)
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    world = _world()
    company = world["company"]
    home = Path(os.environ["SPONA_HOME"])
    port = _free_port()
    env = {
        **os.environ,
        "SPONA_BROKER_URL": broker_url,
        "SPONA_ALLOWED_HOSTS": "127.0.0.1",
        "SPONA_DB_CONN_MAX_AGE": "60",
        "SPONA_LOG_LEVEL": "WARNING",
        "SPONA_SCALEOUT_WORLD": json.dumps(world["load"]),
    }
    processes = Processes(home, env)
    figures: Figures = {}
    try:
        processes.start(
            "web",
            "-m",
            "uvicorn",
            "spona.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--no-access-log",
        )
        for name in ("worker-1", "worker-2"):
            processes.start(name, "-m", "spona", "worker", "--concurrency", "2", "-v", "0")
        processes.start("beat", "-m", "celery", "-A", "spona.celery", "beat", "--loglevel", "WARNING", "-s", str(home / "beat"))
        _wait_for_web(port, world["load"]["tokens"]["sales"], processes)
        load_started = timezone.now()
        locust_csv = home / "locust"
        processes.start(
            "locust",
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "scaleout_load.py"),
            "--headless",
            "--only-summary",
            "--users",
            str(clients),
            "--spawn-rate",
            str(clients),
            "--run-time",
            f"{duration}s",
            "--stop-timeout",
            "10",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(locust_csv),
            "--loglevel",
            "WARNING",
        )
        locust = processes.running["locust"]
        # Kill a worker early in the second half, and start it again a little later (QUALITY J1).
        kill_at, restart_at = time.monotonic() + duration * 0.5, time.monotonic() + duration * 0.5 + max(5.0, duration * 0.05)
        killed = restarted = False
        while locust.poll() is None:
            now = time.monotonic()
            if not killed and now >= kill_at:
                processes.kill("worker-1")
                killed = True
            elif killed and not restarted and now >= restart_at:
                processes.start("worker-1", "-m", "spona", "worker", "--concurrency", "2", "-v", "0")
                restarted = True
            time.sleep(0.2)
        processes.running.pop("locust")
        figures.update(_locust_figures(locust_csv))
        figures["workers killed with SIGKILL (and restarted)"] = (float(killed and restarted), "")
        figures["outbox drained after the load in"] = (_wait_for_drain(processes), "s")
        figures.update(_delivery_lag(load_started))
    finally:
        processes.stop_all()
        broker.flushdb()
    problems = {name: check() for name, check in _checkers(company).items()}
    for name, found in problems.items():
        figures[f"check {name}"] = (float(len(found)), "problems")
        for line in found[:20]:
            print(f"{name}: {line}", file=sys.stderr)
    if any(problems.values()):
        # The figures still matter to whoever looks into the failure: the runner shows this line.
        print(json.dumps({"figures": figures}))
        raise CheckFailed(f"integrity checks failed: {', '.join(name for name, found in problems.items() if found)}")
    return figures
