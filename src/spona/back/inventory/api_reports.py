"""The inventory report endpoints under /api/v1/inventory/reports/: valuation, turnover, slow movers, forecast.

Mounted on the inventory router by ``spona.back.inventory.api``; same rules: thin, explicit
query schemas, quantities and amounts as decimal strings, everything read within the caller's
company (a warehouse id of another company finds nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from spona.back.inventory import reports
from spona.back.inventory.api import Day, MoneyText, QuantityText, _caller, _decimal
from spona.core.api import Id
from spona.core.money import round_amount

router = Router(tags=["inventory"])


def _money(value: Any, currency: str) -> str:
    return str(round_amount(value, currency))


class ValuationParams(Schema):
    as_of: Day | None = Field(None, description="Value the stock at the end of this day. Default: today.")
    group_by: Literal["product", "category", "warehouse"] = "product"


class ValuationRowOut(Schema):
    key: str
    label: str
    product_id: int | None
    quantity: QuantityText
    value: MoneyText


class ValuationOut(Schema):
    as_of: dt.date
    group_by: str
    currency: str
    total: MoneyText
    ledger_account: str = Field(description="The ledger's stock account; empty when the ledger is not set up.")
    ledger_balance: MoneyText | None = Field(description="Its posted balance on that day; null without a ledger.")
    difference: MoneyText | None = Field(description="Valuation − ledger; 0 when they reconcile to the cent.")
    unposted: MoneyText = Field(description="Value of stock valued while the ledger was not set up.")
    notes: list[str]
    rows: list[ValuationRowOut]


@router.get("/reports/valuation", response=ValuationOut)
def inventory_valuation_report(request: HttpRequest, params: Query[ValuationParams]) -> Any:
    """Value the stock as of a day by product, category or warehouse, with the ledger's stock account beside it."""
    user, company = _caller(request)
    report = reports.valuation_report(
        user=user, company=company, as_of=params.as_of or timezone.localdate(), group_by=params.group_by
    )
    cur = report.currency
    return {
        "as_of": report.as_of,
        "group_by": report.group_by,
        "currency": cur,
        "total": _money(report.total, cur),
        "ledger_account": report.account,
        "ledger_balance": None if report.ledger_balance is None else _money(report.ledger_balance, cur),
        "difference": None if report.difference is None else _money(report.difference, cur),
        "unposted": _money(report.unposted, cur),
        "notes": report.notes,
        "rows": [
            {
                "key": r.key,
                "label": r.label,
                "product_id": r.product_id,
                "quantity": _decimal(r.quantity),
                "value": _money(r.value, cur),
            }
            for r in report.rows
        ],
    }


class PeriodParams(Schema):
    date_from: Day | None = Field(None, description="Default: 364 days before date_to.")
    date_to: Day | None = Field(None, description="Default: today.")


class TurnoverOut(Schema):
    product_id: int
    sku: str
    name: str
    cogs: MoneyText
    opening_value: MoneyText
    closing_value: MoneyText
    average_value: MoneyText
    turnover: str | None = Field(description="COGS ÷ average stock value; null without stock.")


@router.get("/reports/turnover", response=list[TurnoverOut])
def inventory_turnover_report(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    """Cost of goods sold, average stock value and turnover per product in a period (422 when the dates are reversed)."""
    user, company = _caller(request)
    date_to = params.date_to or timezone.localdate()
    date_from = params.date_from or date_to - dt.timedelta(days=364)
    cur = company.base_currency
    return [
        {
            "product_id": r.product_id,
            "sku": r.sku,
            "name": r.name,
            "cogs": _money(r.cogs, cur),
            "opening_value": _money(r.opening, cur),
            "closing_value": _money(r.closing, cur),
            "average_value": _money(r.average, cur),
            "turnover": None if r.turnover is None else str(r.turnover),
        }
        for r in reports.turnover(user=user, company=company, date_from=date_from, date_to=date_to)
    ]


class SlowParams(Schema):
    days: int = Field(90, ge=1, le=3650, description="No move out of stock for this many days.")


class SlowMoverOut(Schema):
    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: QuantityText
    value: MoneyText
    last_out: dt.date | None


@router.get("/reports/slow-movers", response=list[SlowMoverOut])
def inventory_slow_movers_report(request: HttpRequest, params: Query[SlowParams]) -> Any:
    """Products in stock with no move out for ``days`` days, with the value they tie up, most value first."""
    user, company = _caller(request)
    cur = company.base_currency
    return [
        {
            "product_id": r.product_id,
            "sku": r.sku,
            "name": r.name,
            "unit": r.unit,
            "on_hand": _decimal(r.quantity),
            "value": _money(r.value, cur),
            "last_out": r.last_out,
        }
        for r in reports.slow_movers(user=user, company=company, days=params.days)
    ]


class ForecastParams(Schema):
    warehouse_id: Id | None = Field(None, description="One warehouse; all when omitted.")


class ShortageOut(Schema):
    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: QuantityText
    incoming: QuantityText
    outgoing: QuantityText
    stockout_on: dt.date
    short_by: QuantityText
    next_receipt: dt.date | None


@router.get("/reports/forecast", response=list[ShortageOut])
def inventory_forecast_report(request: HttpRequest, params: Query[ForecastParams]) -> Any:
    """Products that open deliveries and reservations will run out of, the day and the shortfall, soonest first."""
    user, company = _caller(request)
    return [
        {
            "product_id": r.product_id,
            "sku": r.sku,
            "name": r.name,
            "unit": r.unit,
            "on_hand": _decimal(r.on_hand),
            "incoming": _decimal(r.incoming),
            "outgoing": _decimal(r.outgoing),
            "stockout_on": r.stockout_on,
            "short_by": _decimal(r.short_by),
            "next_receipt": r.next_receipt,
        }
        for r in reports.stockout_forecast(user=user, company=company, warehouse_id=params.warehouse_id)
    ]
