from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spona.core.money import Money, precision, round_amount


def test_precision_comes_from_cldr():
    assert (precision("EUR"), precision("JPY"), precision("KWD")) == (2, 0, 3)


def test_rounding_modes_differ_on_ties():
    # given an amount exactly half-way between two cents
    amount = Decimal("2.345")
    # then half-up and half-even round it differently
    assert round_amount(amount, "EUR", "half_up") == Decimal("2.35")
    assert round_amount(amount, "EUR", "half_even") == Decimal("2.34")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]


def test_currencies_do_not_mix():
    with pytest.raises(ValueError, match="Cannot combine"):
        Money(Decimal(1), "EUR") + Money(Decimal(1), "USD")


@given(st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), min_size=1, max_size=30))
def test_sum_is_exact(amounts):
    total = sum((Money(a, "EUR") for a in amounts), Money(Decimal(0), "EUR"))
    assert total.amount == sum(amounts)


def test_conversion_rounds_to_target_precision():
    assert Money(Decimal("10.00"), "EUR").convert("JPY", Decimal("161.237")).amount == Decimal("1612")
