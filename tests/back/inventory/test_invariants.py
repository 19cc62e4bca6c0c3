"""QUALITY S2 as a property: any sequence of stock operations keeps the materialised stock true."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.back.inventory import selectors, services
from spona.back.inventory.models import Reservation, StockQuant
from spona.core.errors import ApplicationError
from tests.back.inventory.helpers import delivery, receive

PRODUCTS = 3
quantities = st.integers(min_value=1, max_value=12)
operations = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, PRODUCTS - 1), quantities),
    st.tuples(st.just("deliver"), st.integers(0, PRODUCTS - 1), quantities),
    st.tuples(st.just("reserve"), st.integers(0, PRODUCTS - 1), quantities),
    st.tuples(st.just("release"), st.integers(0, 50), quantities),
    st.tuples(st.just("consume"), st.integers(0, 50), quantities),
    st.tuples(st.just("count"), st.integers(0, PRODUCTS - 1), st.integers(0, 15)),
    st.tuples(st.just("shelve"), st.integers(0, PRODUCTS - 1), quantities),
)


def totals() -> tuple[Counter, Counter]:
    """On hand and reserved per product, summed over the quants."""
    on_hand, reserved = Counter(), Counter()
    for product_id, quantity, held in StockQuant.objects.values_list("product_id", "quantity", "reserved"):
        on_hand[product_id] += quantity
        reserved[product_id] += held
    return on_hand, reserved


RUN: Counter = Counter()


@pytest.fixture
def world(company, warehouse, make_product):
    """Products and a shelf shared by every example of one run (fixtures are set up once per test)."""
    shelf = services.location_create(actor=None, company=company, parent_id=warehouse.stock_location.pk, name="Shelf")
    RUN.clear()
    yield [make_product(f"P{i}") for i in range(PRODUCTS)], shelf
    print(
        f"\nS2 property: {RUN['examples']} sequences, {RUN['operations']} operations "
        f"({RUN['refused']} refused for lack of stock), {RUN['mismatches']} mismatches"
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operations, min_size=5, max_size=15))
def test_random_stock_operations_keep_on_hand_and_reserved_true(company, warehouse, world, steps):
    # given a few products in a warehouse with a shelf, and whatever earlier examples left
    products, shelf = world
    stock, view = warehouse.stock_location, warehouse.view_location
    expected_on_hand, expected_reserved = totals()
    refused = 0
    # when receipts, deliveries, reservations, releases, consumptions, counts and shelving run in any order
    for op, index, qty in steps:
        quantity = D(qty)
        try:
            if op == "receive":
                product = products[index]
                receive(company, warehouse, product, quantity)
                expected_on_hand[product.pk] += quantity
            elif op == "deliver":
                product = products[index]
                transfer = delivery(company, warehouse, product, quantity)
                services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
                expected_on_hand[product.pk] -= quantity
            elif op == "reserve":
                product = products[index]
                services.reservation_create(
                    actor=None, company=company, product_id=product.pk, location_id=view.pk, quantity=quantity, reference="prop"
                )
                expected_reserved[product.pk] += quantity
            elif op in ("release", "consume"):
                open_ones = list(
                    Reservation.objects.filter(company=company, state="open", transfer_line__isnull=True).order_by("pk")
                )
                if not open_ones:
                    continue
                reservation = open_ones[index % len(open_ones)]
                part = min(quantity, reservation.quantity)
                if op == "release":
                    services.reservation_release(actor=None, company=company, reservation_id=reservation.pk, quantity=part)
                else:
                    services.reservation_consume(actor=None, company=company, reservation_id=reservation.pk, quantity=part)
                    expected_on_hand[reservation.product_id] -= part
                expected_reserved[reservation.product_id] -= part
            elif op == "count":
                product = products[index]
                before = StockQuant.objects.filter(product=product, location=stock).values_list(
                    "quantity", flat=True
                ).first() or D(0)
                services.inventory_count_apply(
                    actor=None,
                    company=company,
                    location_id=stock.pk,
                    reason="cycle count",
                    counts=[services.CountIn(product.pk, quantity)],
                )
                expected_on_hand[product.pk] += quantity - before
            else:
                services.move_create(
                    actor=None,
                    company=company,
                    product_id=products[index].pk,
                    from_location_id=stock.pk,
                    to_location_id=shelf.pk,
                    quantity=quantity,
                    done=True,
                )
        except ApplicationError:
            refused += 1  # too little stock: refused as a whole, nothing half-done
    # then the quants match an independent tally and a recomputation from the moves (QUALITY S2)
    on_hand, reserved = totals()
    assert {p.pk: on_hand[p.pk] for p in products} == {p.pk: expected_on_hand[p.pk] for p in products}
    assert {p.pk: reserved[p.pk] for p in products} == {p.pk: expected_reserved[p.pk] for p in products}
    mismatches = selectors.stock_check(company)
    RUN.update(examples=1, operations=len(steps), refused=refused, mismatches=len(mismatches))
    assert mismatches == []
    assert not StockQuant.objects.filter(quantity__lt=0).exists()
