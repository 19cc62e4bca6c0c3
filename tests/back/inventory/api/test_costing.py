"""The costing API: product categories with their costing method and its lock, and the opening valuation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.finance import services as finance
from spona.back.finance.models import JournalEntry
from spona.back.inventory import selectors_ui, services
from spona.back.inventory.models import Product, ProductCategory, ValuationLayer
from tests.api.conftest import assert_problem
from tests.back.inventory.helpers import receive
from tests.factories import member

pytestmark = pytest.mark.django_db

API = "/api/v1/inventory"
JSON = "application/json"


def test_categories_create_list_page_read_and_update(api_as, clerk, company):
    client = api_as(clerk)
    # given a FIFO category and one filed under it
    response = client.post(f"{API}/categories", {"name": "Hardware", "costing_method": "fifo"}, content_type=JSON)
    assert response.status_code == 201, response.content
    hardware = response.json()
    assert hardware == {
        "id": hardware["id"],
        "name": "Hardware",
        "parent_id": None,
        "costing_method": "fifo",
        "products": 0,
        "costing_method_locked": False,
    }
    bolts = client.post(f"{API}/categories", {"name": "Bolts", "parent_id": hardware["id"]}, content_type=JSON).json()
    assert (bolts["parent_id"], bolts["costing_method"]) == (hardware["id"], "average")
    # when the list is read one item per page, it goes by name and ends with a null cursor
    first = client.get(f"{API}/categories?limit=1").json()
    second = client.get(f"{API}/categories?limit=1&cursor={first['next_cursor']}").json()
    assert [first["items"][0]["name"], second["items"][0]["name"], second["next_cursor"]] == ["Bolts", "Hardware", None]
    assert [c["name"] for c in client.get(f"{API}/categories?q=hard").json()["items"]] == ["Hardware"]
    # then a PUT moves it to the top, renames it and changes its method while no stock is valued
    body = {"name": "Screws", "parent_id": None, "costing_method": "fifo"}
    updated = client.put(f"{API}/categories/{bolts['id']}", body, content_type=JSON)
    assert updated.status_code == 200, updated.content
    assert client.get(f"{API}/categories/{bolts['id']}").json() == {**bolts, **body}


def test_the_costing_method_is_locked_once_the_categorys_stock_is_valued(api_as, clerk, company, warehouse, make_product):
    client = api_as(clerk)
    category = services.category_create(actor=None, company=company, name="Fasteners")
    bolt = make_product("BOLT", category_id=category.pk, cost_price=D("0.50"))
    # given 10 bolts of the category received: their stock is valued at the average
    receive(company, warehouse, bolt, 10)
    read = client.get(f"{API}/categories/{category.pk}").json()
    assert (read["products"], read["costing_method_locked"]) == (1, True)
    # when a client switches it to FIFO, it is a field error and nothing changes
    body = {"name": "Fasteners", "parent_id": None, "costing_method": "fifo"}
    problem = assert_problem(client.put(f"{API}/categories/{category.pk}", body, content_type=JSON), 422)
    assert list(problem["errors"]) == ["costing_method"]
    assert ProductCategory.objects.get(pk=category.pk).costing_method == "average"
    # then a rename that keeps the method is still allowed
    body = {**body, "name": "Fasteners and bolts", "costing_method": "average"}
    assert client.put(f"{API}/categories/{category.pk}", body, content_type=JSON).json()["name"] == "Fasteners and bolts"


def test_invalid_category_input_is_422_problem_json_never_500(api_as, clerk, company):
    client = api_as(clerk)
    hardware = services.category_create(actor=None, company=company, name="Hardware")
    post = lambda body: client.post(f"{API}/categories", body, content_type=JSON)  # noqa: E731
    # a missing or blank name, an unknown method, a field that is not input (SEC2), a taken name
    assert "name" in assert_problem(post({"costing_method": "fifo"}), 422)["errors"]
    assert "name" in assert_problem(post({"name": "   "}), 422)["errors"]
    assert "costing_method" in assert_problem(post({"name": "X", "costing_method": "lifo"}), 422)["errors"]
    assert_problem(post({"name": "X", "company_id": 99}), 422)
    assert "name" in assert_problem(post({"name": "HARDWARE"}), 422)["errors"]
    # a PUT must say every field, so a forgotten one never re-costs or moves the category
    put = lambda body: client.put(f"{API}/categories/{hardware.pk}", body, content_type=JSON)  # noqa: E731
    assert "costing_method" in assert_problem(put({"name": "Hardware", "parent_id": None}), 422)["errors"]
    # and a category cannot be moved under itself
    problem = assert_problem(put({"name": "Hardware", "parent_id": hardware.pk, "costing_method": "average"}), 422)
    assert "parent" in problem["errors"]
    assert list(ProductCategory.objects.filter(company=company).values_list("name", flat=True)) == ["Hardware"]


def test_another_companys_category_is_404_and_roles_decide_reading_and_writing(api_as, company, other_company):
    category = services.category_create(actor=None, company=company, name="Hardware")
    stranger = api_as(member(other_company, "admin"), in_company=other_company)
    body = {"name": "Taken", "parent_id": None, "costing_method": "fifo"}
    # another company's administrator: 404 on our id, our category is no parent of theirs, and their list is empty
    assert_problem(stranger.get(f"{API}/categories/{category.pk}"), 404)
    assert_problem(stranger.put(f"{API}/categories/{category.pk}", body, content_type=JSON), 404)
    assert_problem(stranger.post(f"{API}/categories", {"name": "Sub", "parent_id": category.pk}, content_type=JSON), 404)
    assert stranger.get(f"{API}/categories").json()["items"] == []
    # sales reads the catalogue but cannot change it; IT holds no inventory role at all
    sales = api_as(member(company, "sales"))
    assert [c["id"] for c in sales.get(f"{API}/categories").json()["items"]] == [category.pk]
    assert_problem(sales.post(f"{API}/categories", {"name": "Mine"}, content_type=JSON), 403)
    assert_problem(sales.put(f"{API}/categories/{category.pk}", body, content_type=JSON), 403)
    it = api_as(member(company, "it"))
    assert_problem(it.get(f"{API}/categories"), 403)
    assert_problem(it.get(f"{API}/categories/{category.pk}"), 403)
    assert ProductCategory.objects.get(pk=category.pk).name == "Hardware"


def test_a_page_of_categories_takes_two_queries(company, clerk, warehouse, make_product, django_assert_num_queries):
    # given five categories, two of them with valued stock
    for name in "ABCDE":
        category = services.category_create(actor=None, company=company, name=name)
        if name in "AC":
            receive(company, warehouse, make_product(f"P-{name}", category_id=category.pk), 1)
    # when a page is read, then it is the categories with their counts and one look-up of the valued ones
    with django_assert_num_queries(2 + 1):  # + the permission check's memberships
        page = selectors_ui.category_page(user=clerk, company=company, limit=4)
    assert [(r.category.name, r.products, r.valued) for r in page.items] == [
        ("A", 1, True),
        ("B", 0, False),
        ("C", 1, True),
        ("D", 0, False),
    ]


# Opening valuation -----------------------------------------------------------------------------


@pytest.fixture
def unvalued(company, warehouse, make_product):
    """A ledger, and 10 bolts (cost price 2.50) received while they were a consumable, so without value."""
    finance.ledger_setup(actor=None, company=company)
    bolt = make_product("BOLT", kind="consumable", cost_price=D("2.50"))
    receive(company, warehouse, bolt, 10)
    Product.objects.filter(pk=bolt.pk).update(kind="goods")
    return bolt


def test_the_opening_valuation_values_the_stock_once(api_as, clerk, company, unvalued):
    client = api_as(clerk)
    # when the opening valuation is asked for, with a key for retries
    headers = {"Idempotency-Key": "open-2026"}
    response = client.post(f"{API}/valuation/open", {"date": "2026-01-01"}, content_type=JSON, headers=headers)
    # then the 10 bolts are valued at 25.00 in one posted entry dated that day
    assert response.status_code == 200, response.content
    opened = response.json()
    assert opened == {"products": 1, "value": "25.00", "currency": company.base_currency, "entry_id": opened["entry_id"]}
    entry = JournalEntry.objects.get(pk=opened["entry_id"])
    assert (str(entry.date), entry.state) == ("2026-01-01", "posted")
    # a retry with the same key replays the answer; a new call finds nothing left to open
    replay = client.post(f"{API}/valuation/open", {"date": "2026-01-01"}, content_type=JSON, headers=headers)
    assert (replay.json(), replay["Idempotent-Replayed"]) == (opened, "true")
    assert_problem(client.post(f"{API}/valuation/open", {}, content_type=JSON), 422, "nothing_to_open")
    assert ValuationLayer.objects.filter(product=unvalued).count() == 1


def test_the_opening_valuation_refuses_bad_input_other_roles_and_changes_nothing(api_as, company, other_company, unvalued):
    manager = api_as(member(company, "operations"))
    assert (
        "date" in assert_problem(manager.post(f"{API}/valuation/open", {"date": "31.01.2026"}, content_type=JSON), 422)["errors"]
    )
    assert_problem(manager.post(f"{API}/valuation/open", {"value": "1000"}, content_type=JSON), 422)
    for role in ("sales", "finance", "it"):
        assert_problem(api_as(member(company, role)).post(f"{API}/valuation/open", {}, content_type=JSON), 403)
    # another company's administrator opens their own company's stock, which has nothing to value
    stranger = api_as(member(other_company, "admin"), in_company=other_company)
    assert_problem(stranger.post(f"{API}/valuation/open", {}, content_type=JSON), 422, "nothing_to_open")
    assert not ValuationLayer.objects.filter(product=unvalued).exists()
