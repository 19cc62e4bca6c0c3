"""One sales record of every kind, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from spona.back.inventory import services as inventory
from spona.core.models import Company
from spona.front.sales import services
from spona.front.sales.models import CustomerGroup, CustomerTerms, Order, PriceList, Quotation
from tests.factories import member, party

SENTINEL = "Sentinel Victim"
API_GROUP = "sales"
PK_OF = {
    "sales:quotation_": "quotation_id",
    "sales:order_": "sales_order_id",
    "sales:pricelist_": "price_list_id",
    "sales:terms_": "sales_customer_id",
}
PUBLIC_PAGES = ("sales_public:quotation",)


def records(company: Company) -> dict[str, int]:
    """Create a price list, a quotation and a draft order carrying the sentinel; return their ids."""
    seller = member(company, "sales", full_name=f"{SENTINEL} Sales Rep")
    customer = party(company, f"{SENTINEL} Buyer")
    category = inventory.uom_category_create(actor=None, company=company, name="Sales units")
    unit = inventory.uom_create(actor=None, company=company, category_id=category.pk, name="Pieces", rounding=D(1))
    product = inventory.product_create(
        actor=None,
        company=company,
        data=inventory.ProductInput(name=f"{SENTINEL} Widget", sku="SALES-SENTINEL", uom_id=unit.pk, sale_price=D(9)),
    )
    price_list = services.price_list_save(
        actor=seller,
        company=company,
        name=f"{SENTINEL} Prices",
        currency=company.base_currency,
        items=[services.PriceIn(product.pk, D(8))],
    )
    lines = [services.LineIn(product_id=product.pk, quantity=D(1), tax_ids=[])]
    quotation = services.quotation_create(actor=seller, company=company, party_id=customer.pk, lines=lines, terms=SENTINEL)
    order = services.order_create(actor=seller, company=company, party_id=customer.pk, lines=lines)
    services.customer_terms_set(actor=seller, company=company, party_id=customer.pk, credit_limit=D("1234.56"))
    return {
        "price_list_id": price_list.pk,
        "quotation_id": quotation.pk,
        "sales_order_id": order.pk,
        "sales_product_id": product.pk,
        "sales_customer_id": customer.pk,
    }


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_sales_price_list": lambda ids: {
        "name": "Planted",
        "currency": "EUR",
        "items": [{"product_id": ids["sales_product_id"], "price": "1"}],
    },
    "create_sales_quotation": lambda ids: {
        "party_id": ids["sales_customer_id"],
        "lines": [{"product_id": ids["sales_product_id"], "quantity": "1"}],
    },
    "revise_sales_quotation": lambda ids: {
        "version": 1,
        "valid_until": "2999-01-01",
        "terms": "Planted",
        "lines": [{"product_id": ids["sales_product_id"], "quantity": "1"}],
    },
    "decline_sales_quotation": lambda ids: {"reason": "Planted"},
    "accept_sales_quotation": lambda ids: {},
    "create_sales_order": lambda ids: {
        "party_id": ids["sales_customer_id"],
        "lines": [{"product_id": ids["sales_product_id"], "quantity": "1"}],
    },
    "cancel_sales_order": lambda ids: {"reason": "Planted"},
    "update_sales_price_list": lambda ids: {
        "version": 1,
        "name": "Planted",
        "currency": "EUR",
        "items": [{"product_id": ids["sales_product_id"], "price": "1"}],
    },
    "create_sales_customer_group": lambda ids: {"name": "Planted"},
    "set_sales_customer_terms": lambda ids: {"credit_limit": "0", "version": 1},
    "update_sales_settings": lambda ids: {"discount_limit": "99", "credit_policy": "approval"},
    "return_sales_order": lambda ids: {"reason": "Planted", "lines": []},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's sales records are as records() made them."""
    quotation = Quotation.objects.get(pk=ids["quotation_id"])
    assert (quotation.status, quotation.version, quotation.terms) == ("draft", 1, SENTINEL)
    order = Order.objects.get(pk=ids["sales_order_id"])
    assert (order.status, order.version) == ("draft", 1)
    assert PriceList.objects.get(pk=ids["price_list_id"]).version == 1
    terms = CustomerTerms.objects.get(party_id=ids["sales_customer_id"])
    assert (terms.version, terms.credit_limit) == (1, D("1234.56"))
    assert services.settings_for(company=quotation.company).discount_limit == D(10)
    assert not CustomerGroup.objects.filter(company_id=quotation.company_id, name="Planted").exists()
    assert not Quotation.objects.filter(company_id=quotation.company_id, terms="Planted").exists()
