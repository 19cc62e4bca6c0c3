"""Category pages (costing method locked once valued) and the opening valuation from the valuation report."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.finance import services as finance
from spona.back.inventory import services
from spona.back.inventory.models import Product, ProductCategory, ValuationLayer
from spona.core.errors import ValidationFailed
from tests.back.inventory.helpers import receive
from tests.factories import member


def test_a_manager_adds_a_fifo_category_and_the_list_shows_it(client, login, company, clerk, make_product):
    # given an operations clerk
    login(clerk)
    # when a FIFO category is added from the form
    response = client.post("/inventory/categories/new/", {"name": "Fasteners", "parent": "", "costing_method": "fifo"})
    # then it exists with that method and the list shows it with its products
    assert response.status_code == 302
    category = ProductCategory.objects.get(company=company, name="Fasteners")
    assert category.costing_method == "fifo"
    make_product("BOLT", category_id=category.pk)
    page = client.get("/inventory/categories/")
    [row] = page.context["rows"]
    assert (row.category.name, row.products, row.valued) == ("Fasteners", 1, False)
    assert "First in, first out (FIFO)" in page.content.decode()


def test_the_costing_method_is_locked_once_the_categorys_stock_is_valued(client, login, company, clerk, warehouse, make_product):
    # given an average-cost category whose bolts are in stock (valued)
    category = services.category_create(actor=None, company=company, name="Fasteners")
    bolt = make_product("BOLT", category_id=category.pk)
    receive(company, warehouse, bolt, 5)
    login(clerk)
    # when the edit form is opened, then the method is shown but not offered
    form = client.get(f"/inventory/categories/{category.pk}/edit/").context["form"]
    assert form.fields["costing_method"].disabled
    # when a crafted post asks for FIFO anyway, then the rename is saved and the method stays
    response = client.post(
        f"/inventory/categories/{category.pk}/edit/", {"name": "Screws & bolts", "parent": "", "costing_method": "fifo"}
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.costing_method) == ("Screws & bolts", "average")
    # and the list marks the method as in use
    [row] = client.get("/inventory/categories/").context["rows"]
    assert row.valued


def test_the_category_list_costs_the_same_queries_for_many_categories(
    client, login, company, clerk, make_product, django_assert_max_num_queries
):
    # given 20 categories with a product each
    for n in range(20):
        category = services.category_create(actor=None, company=company, name=f"Category {n:02d}")
        make_product(f"P{n:02d}", category_id=category.pk)
    login(clerk)
    # then the page reads them in a constant number of queries
    with django_assert_max_num_queries(8):
        response = client.get("/inventory/categories/")
    assert len(response.context["rows"]) == 20


def test_sales_staff_see_categories_but_cannot_change_them(client, login, company):
    # given a sales rep
    category = services.category_create(actor=None, company=company, name="Fasteners")
    login(member(company, "sales", email="sales@acme.test"))
    # then adding and editing are refused
    assert client.get("/inventory/categories/new/").status_code == 403
    assert client.post(f"/inventory/categories/{category.pk}/edit/", {"name": "X", "costing_method": "fifo"}).status_code == 403


def test_the_valuation_report_offers_to_value_opening_stock(client, login, company, clerk, warehouse, make_product):
    # given a ledger and 4 bolts (cost price 1.25) received before they were valued
    finance.ledger_setup(actor=None, company=company)
    bolt = make_product("BOLT", kind="consumable", cost_price=D("1.25"))
    receive(company, warehouse, bolt, 4)
    Product.objects.filter(pk=bolt.pk).update(kind="goods")
    login(clerk)
    # when the valuation report is opened, then it says one product's stock has no value
    page = client.get("/inventory/reports/valuation/")
    assert page.context["unvalued"] == 1 and 'data-testid="unvalued"' in page.content.decode()
    # when the clerk values the opening stock
    response = client.post("/inventory/reports/valuation/open/", follow=True)
    # then the bolts carry 5.00, the report agrees with the ledger and offers nothing more
    assert ValuationLayer.objects.get(product=bolt).value == D("5.00")
    assert response.context["valuation"].difference == D("0.00")
    assert response.context["unvalued"] == 0
    assert "Opening stock valued: 1 product(s), 5.00 EUR." in response.content.decode()


def test_a_valued_product_moves_only_to_a_category_of_the_same_costing_method(company, warehouse, make_product):
    # given bolts in stock (valued at the average) and two categories, one average and one FIFO
    average = services.category_create(actor=None, company=company, name="Hardware")
    fifo = services.category_create(actor=None, company=company, name="Fasteners", costing_method="fifo")
    bolt = make_product("BOLT")
    receive(company, warehouse, bolt, 5)

    def move_to(category):
        data = services.ProductInput(name=bolt.name, sku=bolt.sku, uom_id=bolt.uom_id, category_id=category.pk)
        version = Product.objects.get(pk=bolt.pk).version
        return services.product_update(actor=None, company=company, product_id=bolt.pk, version=version, data=data)

    # when it is moved into the FIFO category, then that is refused: its layers hold no FIFO remainders
    with pytest.raises(ValidationFailed) as refused:
        move_to(fifo)
    assert "same costing method" in refused.value.field_errors["category_id"][0]
    # and into the average category it moves
    assert move_to(average).category_id == average.pk
