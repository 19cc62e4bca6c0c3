"""Inventory benchmarks: on-hand stock of 10,000 products over a long move history, and reservations under contention.

Both run inside the bench runner's child process (Django configured, fresh database migrated)
and return their figures as ``{name: (value, unit)}``.
"""

from __future__ import annotations

import statistics
import threading
import time
from decimal import Decimal
from typing import Any

Figures = dict[str, tuple[float, str]]

PRODUCTS = 10_000
READS = 30
CHUNK = 250_000


def _setup(products: int) -> tuple[Any, Any, Any, list[Any]]:
    """A company, an operations user, a warehouse with two shelves, and ``products`` products (bulk)."""
    from spona.back.inventory import services
    from spona.back.inventory.models import Product
    from spona.core import services as core_services

    company = core_services.company_create(actor=None, name="Bench d.o.o.", code="bench", country="RS")
    clerk = core_services.user_create(
        actor=None, company=company, email="ops@bench.example", full_name="Bench Operations", roles=["operations"]
    )
    count = services.uom_category_create(actor=None, company=company, name="Count")
    unit = services.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=Decimal(1))
    warehouse = services.warehouse_create(actor=None, company=company, code="WH", name="Bench warehouse")
    shelves = [
        services.location_create(actor=None, company=company, parent_id=warehouse.stock_location_id, name=name)
        for name in ("Shelf A", "Shelf B")
    ]
    Product.objects.bulk_create(
        [
            Product(company=company, name=f"Bench product {i:05d}", sku=f"B{i:05d}", uom=unit, purchase_uom=unit)
            for i in range(products)
        ],
        batch_size=2_000,
    )
    return company, clerk, warehouse, [warehouse.stock_location, *shelves]


def _load_moves(company: Any, internal: list[Any], products: int, moves: int) -> float:
    """Insert ``moves`` done moves and their quants by SQL; return seconds.

    Move ``g`` is the ``k = g div products``-th move of product ``g mod products``, in internal
    location ``k mod 3``; per location, 7 in 10 moves are receipts of 3 and the rest deliveries
    of 2, receipts first, so no stock row ever goes below zero. The quants are then computed
    from the moves in one statement, exactly as ``spona inventory check`` recomputes them.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from spona.back.inventory.models import Location, Product

    ids = sorted(Product.objects.filter(company=company).values_list("pk", flat=True))
    if ids[-1] - ids[0] + 1 != products:
        raise RuntimeError("The bulk-created products' ids are not contiguous; the SQL below relies on it.")
    supplier = Location.objects.get(company=company, kind=Location.Kind.SUPPLIER).pk
    customer = Location.objects.get(company=company, kind=Location.Kind.CUSTOMER).pk
    a, b, c = (x.pk for x in internal)
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    series = (
        "SELECT g FROM generate_series(%(start)s, %(stop)s) AS g"
        if postgres
        else "WITH RECURSIVE s(g) AS (SELECT %(start)s UNION ALL SELECT g + 1 FROM s WHERE g < %(stop)s) SELECT g FROM s"
    )
    internal_of = f"CASE (g / {products}) %% 3 WHEN 0 THEN {a} WHEN 1 THEN {b} ELSE {c} END"
    insert_moves = f"""
        INSERT INTO inventory_stockmove (created_at, updated_at, company_id, product_id, from_location_id, to_location_id,
                                         quantity, unit_cost, state, reference, reason, done_at)
        SELECT %(now)s, %(now)s, %(company)s, %(first)s + g %% {products},
               CASE WHEN (g / {products} / 3) %% 10 < 7 THEN {supplier} ELSE {internal_of} END,
               CASE WHEN (g / {products} / 3) %% 10 < 7 THEN {internal_of} ELSE {customer} END,
               CASE WHEN (g / {products} / 3) %% 10 < 7 THEN 3 ELSE 2 END, 0, 'done', 'bench', '', %(now)s
        FROM ({series}) AS numbers
    """
    insert_quants = f"""
        INSERT INTO inventory_stockquant (created_at, updated_at, company_id, product_id, location_id, quantity, reserved)
        SELECT %(now)s, %(now)s, %(company)s, product_id, location_id, SUM(quantity), 0
        FROM (SELECT product_id, to_location_id AS location_id, quantity FROM inventory_stockmove
              WHERE company_id = %(company)s AND state = 'done' AND to_location_id IN ({a}, {b}, {c})
              UNION ALL
              SELECT product_id, from_location_id, -quantity FROM inventory_stockmove
              WHERE company_id = %(company)s AND state = 'done' AND from_location_id IN ({a}, {b}, {c})) AS sides
        GROUP BY product_id, location_id
    """
    started = time.perf_counter()
    for start in range(0, moves, CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            params = {"now": now, "company": company.pk, "first": ids[0], "start": start, "stop": min(start + CHUNK, moves) - 1}
            cursor.execute(insert_moves, params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert_quants, {"now": now, "company": company.pk})
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum (PostgreSQL) or `ANALYZE` after an import would give.
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def on_hand(*, moves: int, **_: Any) -> Figures:
    """Time the on-hand read of all 10,000 products (one query over the quants) at ``moves`` done moves.

    Also times the S2 check that recomputes every quant from the whole move history, which
    is the cost the materialised quants save on every read.
    """
    from spona.back.inventory import selectors, selectors_ui

    company, clerk, _warehouse, internal = _setup(PRODUCTS)
    load_seconds = _load_moves(company, internal, PRODUCTS, moves)
    totals = selectors_ui.on_hand_totals(user=clerk, company=company)  # warm caches; not timed
    if len(totals) != PRODUCTS:
        raise RuntimeError(f"{len(totals)} products have stock, expected {PRODUCTS}.")
    samples = []
    for _ in range(READS):
        t0 = time.perf_counter()
        selectors_ui.on_hand_totals(user=clerk, company=company)
        samples.append((time.perf_counter() - t0) * 1000)
    p50, p95 = _percentiles(samples)
    t0 = time.perf_counter()
    mismatches = selectors.stock_check(company)
    check_seconds = time.perf_counter() - t0
    return {
        "products": (PRODUCTS, ""),
        "done moves": (moves, ""),
        "moves loaded": (moves / load_seconds, "moves/s"),
        "on hand of all products p50": (p50, "ms"),
        "on hand of all products p95": (p95, "ms"),
        "S2 check from the moves": (check_seconds * 1000, "ms"),
        "S2 mismatches": (len(mismatches), ""),
    }


def reservations(*, clients: int, seconds: float = 10.0, **_: Any) -> Figures:
    """Reserve one unit at a time of one hot product from ``clients`` threads (own connections) for ``seconds``.

    Every reservation goes through ``services.reservation_create``: the product row lock, the
    quant update, the allocation, the audit row and the event. SQLite allows one writer, so it
    runs with one client. The product has stock enough never to run out; ``stock_check``
    confirms the quants afterwards.
    """
    from django.db import connection

    from spona.back.inventory import selectors, services
    from spona.back.inventory.models import Location, Reservation

    if connection.vendor != "postgresql":
        clients = 1
    company, clerk, warehouse, _internal = _setup(1)
    product = services.product_create(
        actor=None, company=company, data=services.ProductInput(name="Hot product", sku="HOT", uom_id=_unit(company))
    )
    supplier = Location.objects.get(company=company, kind=Location.Kind.SUPPLIER)
    services.move_create(
        actor=None,
        company=company,
        product_id=product.pk,
        from_location_id=supplier.pk,
        to_location_id=warehouse.stock_location_id,
        quantity=Decimal(10_000_000),
        done=True,
    )
    done = [0] * clients
    failed = [0] * clients
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        mine = []
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                try:
                    services.reservation_create(
                        actor=clerk,
                        company=company,
                        product_id=product.pk,
                        location_id=warehouse.view_location_id,
                        quantity=Decimal(1),
                        reference=f"bench-{index}",
                    )
                except Exception:  # counted and reported: under contention a failure is a figure too
                    failed[index] += 1
                else:
                    done[index] += 1
                    mine.append((time.perf_counter() - t0) * 1000)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(done)
    if Reservation.objects.filter(product=product).count() != total or selectors.stock_check(company):
        raise RuntimeError("Reservations and quants disagree after the run.")
    p50, p95 = _percentiles(latencies or [0.0])
    return {
        "clients": (clients, ""),
        "reservations": (total, ""),
        "rate": (total / elapsed, "reservations/s"),
        "latency p50": (p50, "ms"),
        "latency p95": (p95, "ms"),
        "errors": (sum(failed), ""),
    }


def _unit(company: Any) -> int:
    from spona.back.inventory.models import Uom

    return Uom.objects.get(company=company, name="Units").pk
