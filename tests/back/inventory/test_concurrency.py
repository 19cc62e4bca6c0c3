"""Concurrency on PostgreSQL, each client on its own connection: QUALITY S1, S3 and C4."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connections

from spona.back.inventory import selectors, services
from spona.back.inventory.models import Location, StockMove, StockQuant, Transfer
from spona.core.errors import StateError
from tests.back.inventory.helpers import delivery, receive

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, work):
    """Run ``work(i)`` in ``count`` threads released at once; each thread closes its connection."""
    start = threading.Barrier(count)

    def call(i: int):
        try:
            start.wait(timeout=60)
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def outcome(exc: BaseException) -> str:
    cause = getattr(exc, "__cause__", None)
    if isinstance(exc, DatabaseError) and getattr(cause, "sqlstate", None) == "40P01":
        return "deadlock"
    if isinstance(exc, services.InsufficientStock):
        return "insufficient"
    if isinstance(exc, StateError):
        return "state"
    return f"error: {type(exc).__name__}: {exc}"


def test_s1_the_last_unit_is_reserved_once(on_postgres, company, warehouse, product):
    # given exactly 1 unit in stock
    receive(company, warehouse, product, 1)
    clients = 50

    def reserve(i: int) -> str:
        try:
            services.reservation_create(
                actor=None,
                company=company,
                product_id=product.pk,
                location_id=warehouse.stock_location.pk,
                quantity=D(1),
                reference=f"SO-{i}",
            )
            return "reserved"
        except Exception as exc:
            return outcome(exc) + (f" [{exc}]" if isinstance(exc, services.InsufficientStock) and i == 0 else "")

    # when 50 connections reserve it at the same moment
    began = time.perf_counter()
    results = run_together(clients, reserve)
    elapsed = time.perf_counter() - began
    tally = Counter(r.split(" [")[0] for r in results)
    quant = StockQuant.objects.get(product=product, location=warehouse.stock_location)
    # then exactly one gets it, 49 get the clear error, and stock never goes negative
    print(
        f"\nS1 (PostgreSQL, {clients} concurrent connections, stock 1): {tally['reserved']} reserved, "
        f"{tally['insufficient']} 'insufficient stock', other {clients - tally['reserved'] - tally['insufficient']}; "
        f"on hand {quant.quantity}, reserved {quant.reserved}, available {quant.quantity - quant.reserved}; {elapsed:.2f}s"
    )
    assert tally == Counter({"reserved": 1, "insufficient": 49})
    assert (quant.quantity, quant.reserved) == (D(1), D(1))
    assert selectors.stock_check(company) == []


def test_s1_the_error_says_what_is_available(on_postgres, company, warehouse, product):
    receive(company, warehouse, product, 1)
    services.reservation_create(
        actor=None, company=company, product_id=product.pk, location_id=warehouse.stock_location.pk, quantity=D(1), reference="A"
    )
    with pytest.raises(services.InsufficientStock, match="insufficient stock: 0 available, 1 requested"):
        services.reservation_create(
            actor=None,
            company=company,
            product_id=product.pk,
            location_id=warehouse.stock_location.pk,
            quantity=D(1),
            reference="B",
        )


def test_s3_a_burst_of_mixed_documents_from_16_clients_never_deadlocks(on_postgres, company, warehouse, make_product):
    # given 3 hot products with stock, in a warehouse with 2 shelves
    products = [make_product(f"HOT{i}") for i in range(3)]
    shelves = [
        services.location_create(actor=None, company=company, parent_id=warehouse.stock_location.pk, name=f"S{i}")
        for i in range(2)
    ]
    stock = warehouse.stock_location
    for product in products:
        receive(company, warehouse, product, 400)
    clients, per_client = 16, 19  # 304 documents

    def lines(rnd: random.Random) -> list[services.TransferLineIn]:
        # Several products per document, in random order: the services must lock them in a fixed one.
        chosen = rnd.sample(products, rnd.randint(1, 3))
        return [services.TransferLineIn(p.pk, D(rnd.randint(1, 5))) for p in chosen]

    def document(rnd: random.Random, kind: str, i: int) -> None:
        if kind == "reservation":
            reservation = services.reservation_create(
                actor=None,
                company=company,
                product_id=rnd.choice(products).pk,
                location_id=stock.pk,
                quantity=D(2),
                reference=f"C{i}",
            )
            services.reservation_release(actor=None, company=company, reservation_id=reservation.pk)
            return
        source, target = rnd.sample([stock, *shelves], 2) if kind == "internal" else (None, None)
        transfer = services.transfer_create(
            actor=None,
            company=company,
            kind=kind,
            warehouse_id=warehouse.pk,
            lines=lines(rnd),
            from_location_id=source.pk if source else None,
            to_location_id=target.pk if target else None,
        )
        if kind != "receipt" and rnd.random() < 0.5:
            # Half are confirmed first (reserving in one transaction, shipping in the next);
            # the others are validated straight from draft, reserving and shipping at once.
            services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
        services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)

    def burst(i: int) -> list[tuple[str, str]]:
        rnd = random.Random(i)
        results = []
        for _ in range(per_client):
            kind = rnd.choice(["receipt", "delivery", "delivery", "internal", "reservation"])
            try:
                document(rnd, kind, i)
                results.append((kind, "done"))
            except Exception as exc:
                results.append((kind, outcome(exc)))
        return results

    # when 16 clients each send a burst of receipts, deliveries, internal moves and reservations at once
    began = time.perf_counter()
    results = [r for client in run_together(clients, burst) for r in client]
    tally, kinds = Counter(r for _, r in results), Counter(k for k, _ in results)
    elapsed = time.perf_counter() - began
    mismatches = selectors.stock_check(company)
    documents = sum(tally.values())
    # then no deadlock reaches a client, every refusal is a clear business error, and the check finds 0 mismatches
    print(
        f"\nS3 (PostgreSQL, {clients} clients, {documents} documents: {dict(kinds)}): {tally['done']} done, "
        f"{tally['insufficient']} refused for lack of stock, {tally['deadlock']} deadlocks surfaced, "
        f"{documents - tally['done'] - tally['insufficient'] - tally['deadlock']} other errors; "
        f"stock check: {len(mismatches)} mismatches; {elapsed:.1f}s ({documents / elapsed:.0f} documents/s)"
    )
    assert documents >= 300
    assert tally["deadlock"] == 0
    assert set(tally) <= {"done", "insufficient"}, tally
    assert mismatches == []
    assert not StockQuant.objects.filter(quantity__lt=0).exists()


def test_c4_twenty_concurrent_validations_move_the_stock_once(on_postgres, company, warehouse, product):
    # given a confirmed delivery of 3 out of 10 in stock
    receive(company, warehouse, product, 10)
    transfer = delivery(company, warehouse, product, 3)
    services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
    clients = 20

    def validate(i: int) -> str:
        try:
            services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
            return "validated"
        except Exception as exc:
            return outcome(exc)

    # when 20 clerks press "validate" at the same moment
    tally = Counter(run_together(clients, validate))
    customers = Location.objects.get(company=company, kind="customer")
    shipped = StockMove.objects.filter(transfer=transfer, state="done", to_location=customers)
    quant = StockQuant.objects.get(product=product, location=warehouse.stock_location)
    # then one transition, one set of moves, 19 clear state errors
    print(
        f"\nC4 (PostgreSQL, {clients} concurrent validations of one transfer): {tally['validated']} validated, "
        f"{tally['state']} refused as already done; {shipped.count()} done move(s), on hand {quant.quantity}"
    )
    assert tally == Counter({"validated": 1, "state": 19})
    assert shipped.count() == 1 and sum(m.quantity for m in shipped) == D(3)
    assert quant.quantity == D(7) and quant.reserved == D(0)
    assert Transfer.objects.get(pk=transfer.pk).state == "done"
    assert selectors.stock_check(company) == []
