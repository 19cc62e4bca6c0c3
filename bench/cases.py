"""The benchmarks themselves; each runs inside a child process whose Django is configured.

A benchmark takes its options and returns its figures as ``{name: (value, unit)}``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench import finance, finance_exports, inventory, o2c, support

Figures = dict[str, tuple[float, str]]


def _setup_company() -> tuple[Any, Any]:
    """A company and a sales user, created as an administrator would."""
    from spona.core import services

    company = services.company_create(actor=None, name="Bench d.o.o.", code="bench", country="RS")
    sales = services.user_create(
        actor=None, company=company, email="sales@bench.example", full_name="Bench Sales", roles=["sales"]
    )
    return company, sales


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def party_create_rate(*, count: int, **_: Any) -> Figures:
    """Register ``count`` organisations through ``services.party_create``, each in its own transaction.

    Each has an e-mail, a phone, an address and a role, as a clerk's form would send. The
    embedded mode's after-commit dispatch runs too, so each figure includes writing the event,
    its delivery and the timeline entry.
    """
    from spona.core import services

    company, sales = _setup_company()

    def one(i: int) -> None:
        services.party_create(
            actor=sales,
            company=company,
            data=services.PartyInput(
                kind="organisation",
                name=f"Bench Trade {i:06d} d.o.o.",
                emails=[f"office@bench-{i:06d}.example"],
                phones=[f"+381 11 3{i % 1_000_000:06d}"],
                addresses=[services.AddressInput(line1="Knez Mihailova 1", city="Beograd", postal_code="11000", country="RS")],
                roles=["customer"],
            ),
        )

    for i in range(20):  # warm caches and connections; not timed
        one(count + i)
    samples = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        one(i)
        samples.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    p50, p95 = _percentiles(samples)
    return {
        "parties created": (count, ""),
        "rate": (count / elapsed, "parties/s"),
        "latency p50": (p50, "ms"),
        "latency p95": (p95, "ms"),
    }


# fmt: off
WORDS = ("Bora", "Sloga", "Morava", "Javor", "Dunav", "Tara", "Zlatibor", "Vidik", "Polet", "Iskra", "Rudnik", "Neimar",
         "Becker", "Hoffmann", "Lindner", "Nordlicht", "Rheintal", "Weber", "Alpen", "Donau", "Jadran", "Sava", "Triglav")
TRADES = ("Trade", "Promet", "Komerc", "Logistik", "Soft", "Gradnja", "Agrar", "Elektro", "Metal", "Technik", "Handel")
# fmt: on


def _bulk_parties(company: Any, total: int) -> float:
    """Insert ``total`` organisations with an e-mail and a role each, fast (bulk); return seconds."""
    from django.db import connection, transaction

    from spona.core.models import ContactPoint, Party, PartyRole

    rng = random.Random("bench")
    started = time.perf_counter()
    batch = 5_000
    for start in range(0, total, batch):
        with transaction.atomic():
            parties = Party.objects.bulk_create(
                [
                    Party(
                        company=company,
                        kind=Party.Kind.ORGANISATION,
                        name=f"{rng.choice(WORDS)} {rng.choice(TRADES)} {i:06d}",
                    )
                    for i in range(start, min(start + batch, total))
                ],
                batch_size=1_000,
            )
            # bulk_create returns the ids on both engines (RETURNING), which the rows below need.
            ContactPoint.objects.bulk_create(
                [ContactPoint(party=p, kind="email", value=f"office@p{p.pk}.example", is_primary=True) for p in parties],
                batch_size=1_000,
            )
            PartyRole.objects.bulk_create([PartyRole(party=p, role="customer") for p in parties], batch_size=1_000)
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum (PostgreSQL) or `ANALYZE` after an import would give.
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def api_list_latency(*, parties: int, requests: int, **_: Any) -> Figures:
    """Time ``GET /api/v1/parties?limit=50`` as a logged-in sales user, on the first and a deep page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from spona.core import selectors
    from spona.core.models import Party

    company, sales = _setup_company()
    insert_seconds = _bulk_parties(company, parties)
    # The row 90 % down the list by name: its cursor is what a client holds after ~1,800 pages.
    deep_row = Party.objects.filter(company=company).order_by("name", "pk").values_list("name", "pk")[int(parties * 0.9)]
    deep_cursor = selectors.encode_cursor(list(deep_row))
    client = Client()
    client.force_login(sales)

    def timed(url: str) -> list[float]:
        response = client.get(url)
        if response.status_code != 200 or len(response.json()["items"]) != 50:
            raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        samples = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    first_url = "/api/v1/parties?limit=50"
    deep_url = f"/api/v1/parties?limit=50&cursor={deep_cursor}"
    with CaptureQueriesContext(connection) as queries:
        client.get(first_url)
    # Count now: the captured list is read from the connection's log, which the next request clears.
    query_count = len(queries.captured_queries)
    first_p50, first_p95 = _percentiles(timed(first_url))
    deep_p50, deep_p95 = _percentiles(timed(deep_url))
    return {
        "parties in the list": (parties, ""),
        "bulk insert": (parties / insert_seconds, "parties/s"),
        "first page p50": (first_p50, "ms"),
        "first page p95": (first_p95, "ms"),
        "deep page (90 %) p50": (deep_p50, "ms"),
        "deep page (90 %) p95": (deep_p95, "ms"),
        "queries per request": (query_count, ""),
    }


BENCHMARKS: dict[str, tuple[str, Callable[..., Figures]]] = {
    "parties": ("parties created per second through services.party_create", party_create_rate),
    "api": ("API list latency, GET /api/v1/parties?limit=50", api_list_latency),
    "invoices": (
        "invoices (3 lines, 2 taxes) created and posted per second, beside raw-SQL and bare-ORM floors",
        finance.invoices,
    ),
    "reports": ("trial balance, P&L and aged receivables over --lines posted lines", finance.reports),
    "exports": (
        "finance: a 100,000-line general ledger exported as CSV and XLSX (time, peak memory)",
        finance_exports.general_ledger_export,
    ),
    "onhand": ("inventory: on hand of 10,000 products at --moves done moves", inventory.on_hand),
    "reserve": ("inventory: reservations/s of one hot product, --clients threads (1 on SQLite)", inventory.reservations),
    "mailin": ("support: inbound e-mails turned into tickets per second (-n mails)", support.mail_in),
    "queue": ("support: queue first page with --tickets tickets (--requests timed)", support.queue_page),
    "o2c": (
        "sales: order to cash per second (customer, 3-line order, confirm, deliver, invoice, pay), with floors",
        o2c.order_to_cash,
    ),
}
