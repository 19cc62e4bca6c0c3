"""Issue 4 proof: after any mix of receipts, deliveries, returns and adjustments the stock's value is the ledger's."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal as D

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.back.finance import services as finance
from spona.back.inventory import reports, services
from spona.back.inventory.models import Location, ValuationLayer
from spona.back.inventory.services.locations import virtual_location
from spona.core.errors import ApplicationError
from spona.core.models import Company

quantities = st.integers(min_value=1, max_value=9)
costs = st.decimals(min_value=D("0.0001"), max_value=D("250"), places=4)
operations = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 1), quantities, costs),
    st.tuples(st.just("deliver"), st.integers(0, 1), quantities, st.just(D(0))),
    st.tuples(st.just("return"), st.integers(0, 1), quantities, costs),
    st.tuples(st.just("count"), st.integers(0, 1), st.integers(0, 12), st.just(D(0))),
    st.tuples(st.just("scrap"), st.integers(0, 1), quantities, st.just(D(0))),
)
RUN: Counter = Counter()


@pytest.fixture
def world(company, warehouse, make_product):
    """An average-cost and a FIFO product in a company whose ledger is set up."""
    finance.ledger_setup(actor=None, company=company)
    fifo = services.category_create(actor=None, company=company, name="FIFO goods", costing_method="fifo")
    RUN.clear()
    yield [make_product("AVG"), make_product("FIFO", category_id=fifo.pk)]
    print(
        f"\nvaluation property: {RUN['examples']} sequences, {RUN['operations']} operations "
        f"({RUN['refused']} refused), {RUN['layers']} layers, {RUN['differences']} differences from the ledger"
    )


def _transfer(company: Company, warehouse, kind: str, product, quantity: D, cost: D, from_location_id=None) -> None:
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind=kind,
        warehouse_id=warehouse.pk,
        from_location_id=from_location_id,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=quantity, unit_cost=cost)],
    )
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operations, min_size=4, max_size=14))
def test_any_mix_of_stock_operations_keeps_valuation_equal_to_the_ledger(company, warehouse, world, steps):
    # given an average and a FIFO product, and whatever earlier examples left in stock
    stock = warehouse.stock_location
    customers = virtual_location(company, Location.Kind.CUSTOMER)
    refused = 0
    # when receipts at random prices, deliveries, customer returns, counts and scrap run in any order
    for op, index, qty, cost in steps:
        product, quantity = world[index], D(qty)
        try:
            if op == "receive":
                _transfer(company, warehouse, "receipt", product, quantity, cost)
            elif op == "deliver":
                _transfer(company, warehouse, "delivery", product, quantity, cost)
            elif op == "return":
                _transfer(company, warehouse, "receipt", product, quantity, cost, from_location_id=customers.pk)
            elif op == "count":
                services.inventory_count_apply(
                    actor=None,
                    company=company,
                    location_id=stock.pk,
                    counts=[services.CountIn(product.pk, quantity)],
                    reason="cycle count",
                )
            else:
                services.scrap(
                    actor=None, company=company, product_id=product.pk, location_id=stock.pk, quantity=quantity, reason="dent"
                )
        except ApplicationError:
            refused += 1  # too little stock: refused as a whole
    # then the valuation equals the stock account to the cent, and every check agrees
    report = reports.valuation_report(user=None, company=company, as_of=timezone.localdate())
    problems = reports.valuation_check(company)
    RUN.update(
        examples=1,
        operations=len(steps),
        refused=refused,
        layers=ValuationLayer.objects.filter(company=company).count() - RUN["layers"],
        differences=int(report.difference != 0),
    )
    assert report.difference == 0 and report.unposted == 0
    assert problems == []
    # and FIFO layers never hold a negative remainder, nor value without quantity
    assert not ValuationLayer.objects.filter(remaining_quantity__lt=0).exists()
    assert not ValuationLayer.objects.filter(remaining_quantity=0).exclude(remaining_value=0).exists()
