"""Golden vectors and invariants of the tax calculation (QUALITY L7)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spona.back.finance.taxcalc import LineInput, TaxRule, compute

VAT22 = TaxRule(key="vat22", amount=D("22"))
VAT21_INCL = TaxRule(key="vat21", amount=D("21"), price_included=True)


@pytest.mark.parametrize(
    ("scope", "total", "tax"), [("global", D("6527.80"), D("1177.14")), ("per_line", D("6527.81"), D("1177.15"))]
)
def test_348_35_times_16_less_4_percent_with_22_percent_tax(scope, total, tax):
    # given 16 units at 348.35 with a 4 % discount and 22 % tax
    line = LineInput(quantity=D(16), unit_price=D("348.35"), discount=D(4), taxes=[VAT22])
    # when computed with the company's rounding scope
    result = compute([line], precision=2, scope=scope)
    # then the documented figures come out, to the cent
    assert (result.untaxed, result.tax, result.total) == (D("5350.66"), tax, total)


def test_tax_included_prices_global_rounding_gives_2_55():
    lines = [LineInput(quantity=D(1), unit_price=D("11.90"), taxes=[VAT21_INCL]), LineInput(D(1), D("2.80"), taxes=[VAT21_INCL])]
    result = compute(lines, precision=2, scope="global")
    assert result.tax == D("2.55")
    assert result.total == D("14.70")
    assert sum(line.subtotal for line in result.lines) == result.untaxed == D("12.15")


def test_tax_included_prices_per_line_rounding_gives_2_56():
    lines = [LineInput(quantity=D(1), unit_price=D("11.90"), taxes=[VAT21_INCL]), LineInput(D(1), D("2.80"), taxes=[VAT21_INCL])]
    result = compute(lines, precision=2, scope="per_line")
    assert (result.tax, result.total) == (D("2.56"), D("14.70"))


def test_compound_tax_is_computed_on_base_plus_earlier_tax():
    # given an eco fee of 10 % that is itself subject to 20 % VAT
    eco = TaxRule(key="eco", amount=D(10), affects_base=True, sequence=1)
    vat = TaxRule(key="vat", amount=D(20), sequence=2)
    result = compute([LineInput(D(1), D("100.00"), taxes=[eco, vat])], precision=2)
    assert result.taxes["eco"].amount == D("10.00")
    assert result.taxes["vat"].amount == D("22.00")
    assert result.total == D("132.00")


def test_included_compound_taxes_are_taken_out_exactly():
    eco = TaxRule(key="eco", amount=D(10), affects_base=True, sequence=1, price_included=True)
    vat = TaxRule(key="vat", amount=D(20), sequence=2, price_included=True)
    result = compute([LineInput(D(1), D("132.00"), taxes=[eco, vat])], precision=2)
    assert (result.untaxed, result.taxes["eco"].amount, result.taxes["vat"].amount) == (D("100.00"), D("10.00"), D("22.00"))


def test_fixed_tax_is_per_unit():
    fee = TaxRule(key="fee", amount=D("0.50"), kind="fixed")
    assert compute([LineInput(D(3), D("2.00"), taxes=[fee])], precision=2).tax == D("1.50")


def test_half_even_rounding_policy_is_applied():
    vat = TaxRule(key="v", amount=D(10))
    # 0.25 tax on 2.50 is exact; 0.125 on 1.25 rounds to 0.12 half-even and 0.13 half-up
    assert compute([LineInput(D(1), D("1.25"), taxes=[vat])], precision=2, rounding="half_even").tax == D("0.12")
    assert compute([LineInput(D(1), D("1.25"), taxes=[vat])], precision=2, rounding="half_up").tax == D("0.13")


def test_zero_decimal_currency():
    result = compute([LineInput(D(3), D("333"), taxes=[TaxRule(key="v", amount=D(10))])], precision=0)
    assert (result.untaxed, result.tax, result.total) == (D(999), D(100), D(1099))


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
rates = st.sampled_from([D(0), D(5), D("7.7"), D(10), D(20), D(21), D(22), D(25)])


@st.composite
def documents(draw):
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        included = draw(st.booleans())
        taxes = [
            TaxRule(key=f"t{i}", amount=draw(rates), price_included=included, sequence=i) for i in range(draw(st.integers(0, 2)))
        ]
        lines.append(
            LineInput(
                quantity=draw(st.decimals(min_value=D("0.001"), max_value=D(1000), places=3)),
                unit_price=draw(amounts),
                discount=draw(st.sampled_from([D(0), D(4), D("12.5"), D(50)])),
                taxes=taxes,
            )
        )
    return lines


@settings(max_examples=300, deadline=None)
@given(documents(), st.sampled_from(["per_line", "global"]), st.sampled_from(["half_up", "half_even"]))
def test_lines_plus_taxes_always_equal_the_total(lines, scope, rounding):
    result = compute(lines, precision=2, scope=scope, rounding=rounding)
    assert sum((line.subtotal for line in result.lines), D(0)) == result.untaxed
    assert sum((t.amount for t in result.taxes.values()), D(0)) == result.tax
    assert result.untaxed + result.tax == result.total
    for value in [result.untaxed, result.tax, result.total, *(line.subtotal for line in result.lines)]:
        assert value == value.quantize(D("0.01"))
