"""Exact money: ``Decimal`` amounts with the currency's precision and an explicit rounding rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision

ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


@cache
def precision(currency: str) -> int:
    """Minor-unit digits of a currency from CLDR (EUR 2, JPY 0, KWD 3)."""
    return get_currency_precision(currency)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-precision(currency))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert to Decimal, refusing floats: binary fractions have no place near money."""
    if isinstance(value, float):
        raise TypeError("Money amounts must not be floats; pass a Decimal, int or str.")
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a number.") from None


def round_amount(amount: Decimal, currency: str, rounding: str = "half_up") -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUNDING_MODES[rounding])


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency; arithmetic keeps full precision until ``rounded()`` is asked for."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code.")

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ValueError(f"Cannot combine {self.currency} with {getattr(other, 'currency', other)!r}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def rounded(self, rounding: str = "half_up") -> Money:
        return Money(round_amount(self.amount, self.currency, rounding), self.currency)

    def convert(self, currency: str, rate: Decimal, rounding: str = "half_up") -> Money:
        """Convert with ``rate`` units of ``currency`` per unit of this currency, rounded."""
        return Money(round_amount(self.amount * rate, currency, rounding), currency)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=locale.replace("-", "_"))

    def __str__(self) -> str:
        return f"{round_amount(self.amount, self.currency)} {self.currency}"
