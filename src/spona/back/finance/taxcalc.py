"""Exact tax computation for documents (QUALITY L7), free of the database.

Rules:
- ``per_line`` rounding rounds each line's base first, then each tax of the line on that
  rounded base; ``global`` keeps full precision per line and rounds each tax's total once.
- Price-included taxes are taken out of the price: the price is a linear function of the
  base, so the base is found exactly as ``(gross - c) / a`` however taxes compound.
- Whatever the mode, the result adds up to the cent: Σ line subtotals = untaxed,
  Σ tax totals = tax, untaxed + tax = total. In ``global`` mode, the cent that rounding the
  lines separately would lose is given to the lines with the largest remainders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from spona.core.money import ROUNDING_MODES

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxRule:
    """What the calculation needs to know about one tax."""

    key: int | str
    amount: Decimal
    kind: str = "percent"  # or "fixed" (per unit)
    price_included: bool = False
    affects_base: bool = False
    sequence: int = 10


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)  # percent
    taxes: Sequence[TaxRule] = ()


@dataclass
class LineResult:
    subtotal: Decimal  # without taxes, rounded
    taxes: dict[int | str, Decimal] = field(default_factory=dict)  # rounded in per_line mode, exact in global mode


@dataclass
class TaxTotal:
    base: Decimal
    amount: Decimal


@dataclass
class Result:
    lines: list[LineResult]
    taxes: dict[int | str, TaxTotal]
    untaxed: Decimal
    tax: Decimal
    total: Decimal


def _tax_amount(rule: TaxRule, base: Decimal, quantity: Decimal) -> Decimal:
    if rule.kind == "fixed":
        return rule.amount * quantity
    return base * rule.amount / HUNDRED


def _forward(taxes: Sequence[TaxRule], base: Decimal, quantity: Decimal) -> list[Decimal]:
    """Tax amounts for a base, each tax on the base plus the earlier taxes that affect it."""
    running = base
    amounts = []
    for rule in taxes:
        amount = _tax_amount(rule, running, quantity)
        amounts.append(amount)
        if rule.affects_base:
            running += amount
    return amounts


def _excluded_base(gross: Decimal, included: Sequence[TaxRule], quantity: Decimal) -> Decimal:
    """Solve gross = base + Σ included taxes(base) for base; the right side is linear in base."""
    if not included:
        return gross
    c = sum(_forward(included, Decimal(0), quantity), Decimal(0))
    a = Decimal(1) + sum(_forward(included, Decimal(1), quantity), Decimal(0)) - c
    return (gross - c) / a


def compute(lines: Sequence[LineInput], *, precision: int, rounding: str = "half_up", scope: str = "per_line") -> Result:
    """Compute line subtotals, per-tax totals and document totals, exact to the currency's precision."""
    if scope not in ("per_line", "global"):
        raise ValueError(f"Unknown tax rounding scope {scope!r}.")
    quantum = Decimal(1).scaleb(-precision)
    mode = ROUNDING_MODES[rounding]

    def r(value: Decimal) -> Decimal:
        return value.quantize(quantum, rounding=mode)

    results: list[LineResult] = []
    exact_subtotals: list[Decimal] = []
    tax_bases: dict[int | str, Decimal] = {}
    tax_amounts: dict[int | str, Decimal] = {}
    gross = Decimal(0)
    for line in lines:
        taxes = sorted(line.taxes, key=lambda t: (t.sequence, str(t.key)))
        raw = line.quantity * line.unit_price * (HUNDRED - line.discount) / HUNDRED
        base = _excluded_base(raw, [t for t in taxes if t.price_included], line.quantity)
        if scope == "per_line":
            subtotal, amounts = _per_line(taxes, base, raw, line.quantity, r)
        else:
            subtotal, amounts = r(base), _forward(taxes, base, line.quantity)
        gross += r(raw)
        exact_subtotals.append(base)
        line_taxes: dict[int | str, Decimal] = {}
        for rule, amount in zip(taxes, amounts, strict=True):
            line_taxes[rule.key] = line_taxes.get(rule.key, Decimal(0)) + amount
            tax_amounts[rule.key] = tax_amounts.get(rule.key, Decimal(0)) + amount
            tax_bases[rule.key] = tax_bases.get(rule.key, Decimal(0)) + (subtotal if scope == "per_line" else base)
        results.append(LineResult(subtotal=subtotal, taxes=line_taxes))

    totals = {key: TaxTotal(base=r(tax_bases[key]), amount=r(amount)) for key, amount in tax_amounts.items()}
    tax = sum((t.amount for t in totals.values()), Decimal(0))
    untaxed = sum((res.subtotal for res in results), Decimal(0))
    all_included = bool(lines) and all(line.taxes and all(t.price_included for t in line.taxes) for line in lines)
    if scope == "global" and all_included:
        # Every price includes its taxes: the customer pays the prices, so the untaxed amount is what is left.
        untaxed = gross - tax
        _spread(results, exact_subtotals, untaxed, quantum)
    return Result(lines=results, taxes=totals, untaxed=untaxed, tax=tax, total=untaxed + tax)


def _per_line(
    taxes: Sequence[TaxRule], base: Decimal, raw: Decimal, quantity: Decimal, r: Callable[[Decimal], Decimal]
) -> tuple[Decimal, list[Decimal]]:
    """Round the line's base, then each tax on it; included taxes come out of the rounded price."""
    exact = _forward(taxes, base, quantity)
    included = {i: r(amount) for i, (rule, amount) in enumerate(zip(taxes, exact, strict=True)) if rule.price_included}
    subtotal = r(raw) - sum(included.values(), Decimal(0)) if included else r(base)
    running = subtotal
    amounts: list[Decimal] = []
    for i, rule in enumerate(taxes):
        amount = included[i] if i in included else r(_tax_amount(rule, running, quantity))
        amounts.append(amount)
        if rule.affects_base:
            running += amount
    return subtotal, amounts


def _spread(results: list[LineResult], exact: list[Decimal], target: Decimal, quantum: Decimal) -> None:
    """Adjust rounded line subtotals by whole quanta so that they add up to ``target``."""
    difference = target - sum((res.subtotal for res in results), Decimal(0))
    steps = int(difference / quantum)
    if steps == 0:
        return
    step = quantum if steps > 0 else -quantum
    # The lines whose rounding moved them furthest from the exact value move back first.
    order = sorted(range(len(results)), key=lambda i: (exact[i] - results[i].subtotal) * (1 if steps > 0 else -1), reverse=True)
    for n in range(abs(steps)):
        results[order[n % len(order)]].subtotal += step
