"""Costing endpoints under /api/v1/inventory/: product categories with their costing method, and the opening valuation.

Mounted on the inventory router by ``spona.back.inventory.api``; same rules: thin, explicit
input schemas that refuse unknown fields, amounts as decimal strings, ids looked up in the
caller's company (another company's category answers 404). The services decide: the costing
method of a category cannot change once its stock is valued (422 on ``costing_method``), and the
opening valuation refuses when every unit on hand is valued already (422 ``nothing_to_open``).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from spona.back.inventory import selectors_ui, services
from spona.back.inventory.api import Day, MoneyText, PageParams, _caller
from spona.back.inventory.models import ProductCategory
from spona.back.inventory.selectors_ui import CategoryRow
from spona.core.api import Id, Input, Text
from spona.core.money import round_amount

router = Router(tags=["inventory"])

CostingMethod = Literal[tuple(ProductCategory.CostingMethod.values)]  # type: ignore[valid-type]
METHOD_HELP = "average: outgoing stock leaves at the running average cost; fifo: at the cost of the oldest receipts in stock."


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    costing_method: CostingMethod
    products: int = Field(description="How many products are filed directly in this category.")
    costing_method_locked: bool = Field(
        description="True once stock of its products is valued: the costing method can no longer change."
    )


class CategoryPage(Schema):
    items: list[CategoryOut]
    next_cursor: str | None


class CategoryIn(Input):
    """A new category; company and the lock are not input."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Fasteners", "parent_id": None, "costing_method": "fifo"}]}
    )

    name: Text = Field(min_length=1, max_length=100)
    parent_id: Id | None = Field(None, description="The category to file it under; at the top when omitted.")
    costing_method: CostingMethod = Field("average", description=METHOD_HELP)


class CategoryUpdateIn(Input):
    """A category's fields, all of them: a PUT replaces, so a forgotten field never moves or re-costs a category."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "Fasteners", "parent_id": None, "costing_method": "fifo"}]}
    )

    name: Text = Field(min_length=1, max_length=100)
    parent_id: Id | None = Field(description="The category to file it under; null: at the top.")
    costing_method: CostingMethod = Field(description=METHOD_HELP + " Refused (422) once the category's stock is valued.")


class CategoryFilters(PageParams):
    q: Text = Field("", max_length=100, description="Matches the name (contains).")


def _category_out(row: CategoryRow) -> dict[str, Any]:
    category = row.category
    return {
        "id": category.pk,
        "name": category.name,
        "parent_id": category.parent_id,
        "costing_method": category.costing_method,
        "products": row.products,
        "costing_method_locked": row.valued,
    }


def _read(request: HttpRequest, category_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    return _category_out(selectors_ui.category_row(user=user, company=company, category_id=category_id))


@router.get("/categories", response=CategoryPage)
def list_inventory_categories(request: HttpRequest, filters: Query[CategoryFilters]) -> Any:
    """List product categories by name with their costing method and whether it is locked (cursor pagination)."""
    user, company = _caller(request)
    page = selectors_ui.category_page(user=user, company=company, q=filters.q, cursor=filters.cursor, limit=filters.limit)
    return {"items": [_category_out(row) for row in page.items], "next_cursor": page.next_cursor}


@router.get("/categories/{product_category_id}", response=CategoryOut)
def get_inventory_category(request: HttpRequest, product_category_id: Id) -> Any:
    """Return one product category."""
    return _read(request, product_category_id)


@router.post("/categories", response={201: CategoryOut})
def create_inventory_category(request: HttpRequest, payload: CategoryIn) -> Any:
    """Add a category, at the top or under another; names are unique among siblings."""
    user, company = _caller(request)
    category = services.category_create(actor=user, company=company, **payload.model_dump())
    return Status(201, _read(request, category.pk))


@router.put("/categories/{product_category_id}", response=CategoryOut)
def update_inventory_category(request: HttpRequest, product_category_id: Id, payload: CategoryUpdateIn) -> Any:
    """Rename, move or re-cost a category; moving it under itself, or re-costing valued stock, answers 422."""
    user, company = _caller(request)
    services.category_update(actor=user, company=company, category_id=product_category_id, **payload.model_dump())
    return _read(request, product_category_id)


# Opening valuation ---------------------------------------------------------------------------------


class OpeningValuationIn(Input):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"date": "2026-01-01"}]})

    date: Day | None = Field(None, description="The day of the opening layers and entry; today when omitted.")


class OpeningValuationOut(Schema):
    products: int = Field(description="Products whose unvalued units were given a value.")
    value: MoneyText = Field(description="Their total value, in the company's currency.")
    currency: str
    entry_id: int | None = Field(description="The posted opening entry (stock / retained earnings); null without a ledger.")


@router.post("/valuation/open", response=OpeningValuationOut)
def open_inventory_valuation(request: HttpRequest, payload: OpeningValuationIn) -> Any:
    """Value the stock on hand that has no value yet (from before valuation began) and post one opening entry.

    Each product's missing units are valued at its current cost. A second call finds nothing to
    open and answers 422 ``nothing_to_open``. The same service as ``spona inventory open-valuation``.
    """
    user, company = _caller(request)
    result = services.valuation_open(actor=user, company=company, date=payload.date)
    currency = company.base_currency
    return {
        "products": result.products,
        "value": str(round_amount(result.value, currency)),
        "currency": currency,
        "entry_id": result.entry_id,
    }
