"""Stock by location (query count pinned, streamed CSV), move history, warehouses and locations, counts and scrap."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

from spona.back.inventory import selectors
from spona.back.inventory.models import Location, StockMove, StockQuant, Warehouse
from tests.back.inventory.helpers import receive
from tests.factories import member


def test_stock_page_filters_pages_and_its_query_count_is_pinned(
    client, login, company, clerk, warehouse, make_product, django_assert_max_num_queries
):
    # given 30 products in stock, one with a formula-like name
    for n in range(30):
        receive(company, warehouse, make_product(f"S{n:02d}", name="=HYPERLINK(1)" if n == 0 else f"Item {n}"), n + 1)
    login(clerk)
    # the stock page costs the same number of queries however many rows it shows
    with django_assert_max_num_queries(8):
        response = client.get("/inventory/stock/")
    assert len(response.context["page"].items) == 25
    rest = client.get(f"/inventory/stock/?cursor={response.context['page'].next_cursor}").context["page"].items
    assert [r.sku for r in rest] == ["S25", "S26", "S27", "S28", "S29"]
    # filters by product and location
    assert [r.sku for r in client.get("/inventory/stock/?q=S07").context["page"].items] == ["S07"]
    assert client.get(f"/inventory/stock/?location={warehouse.input_location_id}").context["page"].items == []
    # the CSV export streams every row, with formulas defused
    response = client.get(f"/inventory/stock/export.csv?location={warehouse.view_location_id}")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["sku", "product", "location", "lot", "on_hand", "reserved", "available", "unit"]
    assert len(rows) == 31 and rows[1] == ["S00", "'=HYPERLINK(1)", "WH/Stock", "", "1", "0", "1", "Units"]


def test_move_history_by_product_location_and_dates(client, login, company, clerk, warehouse, make_product):
    bolt, nut = make_product("BOLT"), make_product("NUT")
    receive(company, warehouse, bolt, 5)
    receive(company, warehouse, nut, 7)
    login(clerk)
    skus = lambda url: [m.product.sku for m in client.get(url).context["page"].items]  # noqa: E731
    assert skus("/inventory/moves/") == ["NUT", "BOLT"]
    assert skus(f"/inventory/moves/?product={bolt.pk}") == ["BOLT"]
    assert skus(f"/inventory/moves/?location={warehouse.input_location_id}") == []
    assert skus("/inventory/moves/?date_from=2000-01-01&date_to=2000-01-31") == []
    # reversed dates say so instead of failing
    response = client.get("/inventory/moves/?date_from=2030-01-02&date_to=2030-01-01")
    assert response.status_code == 200 and "The start date is after the end date." in response.content.decode()


def test_a_warehouse_comes_with_its_tree_and_takes_more_locations(client, login, company, clerk):
    login(clerk)
    assert client.post("/inventory/warehouses/new/", {"code": "nb", "name": "Novi Beograd"}).status_code == 302
    warehouse = Warehouse.objects.get(code="NB")
    response = client.post(
        "/inventory/locations/new/", {"parent": warehouse.stock_location_id, "name": "Shelf A", "kind": "internal"}
    )
    assert response.status_code == 302
    page = client.get("/inventory/warehouses/").content.decode()
    for name in ("NB/Stock", "NB/Input", "NB/Output", "NB/Stock/Shelf A", "Customers", "Suppliers"):
        assert name in page
    # a duplicate is refused on its field
    response = client.post("/inventory/warehouses/new/", {"code": "NB", "name": "Again"})
    assert response.status_code == 422 and "A warehouse with code NB exists already." in response.content.decode()


def test_a_count_moves_the_differences_and_reports_them(client, login, company, clerk, warehouse, make_product):
    bolt, nut, washer = make_product("BOLT"), make_product("NUT"), make_product("WASHER")
    receive(company, warehouse, bolt, 10)
    receive(company, warehouse, nut, 4)
    login(clerk)
    url = f"/inventory/counts/{warehouse.stock_location_id}/"
    sheet = {row.sku: row.quant_id for row in client.get(url).context["form"].sheet}
    # when 8 bolts are found, the nuts are not counted, and 3 washers turn up that the books do not know
    data = {f"count-{sheet['BOLT']}": "8", f"count-{sheet['NUT']}": "", "extra-0-product": washer.pk, "extra-0-counted": "3"}
    # without a reason it is refused
    assert client.post(url, data).status_code == 422
    response = client.post(url, {**data, "reason": "Annual count 2026"}, follow=True)
    # then two adjustments were made, the nuts left as they were
    assert "2 adjustment(s)" in response.content.decode()
    on_hand = dict(StockQuant.objects.filter(location=warehouse.stock_location).values_list("product__sku", "quantity"))
    assert on_hand == {"BOLT": D(8), "NUT": D(4), "WASHER": D(3)}
    assert StockMove.objects.filter(reason="Annual count 2026").count() == 2
    assert selectors.stock_check(company) == []


def test_scrap_writes_off_and_refuses_more_than_there_is(client, login, company, clerk, warehouse, product):
    receive(company, warehouse, product, 3)
    login(clerk)
    data = {"product": product.pk, "location": warehouse.stock_location_id, "quantity": "5", "reason": "Rusty"}
    response = client.post("/inventory/stock/scrap/", data)
    assert response.status_code == 422 and "Not enough stock" in response.content.decode()
    response = client.post("/inventory/stock/scrap/", {**data, "quantity": "1"})
    assert response.status_code == 302
    loss = Location.objects.get(company=company, kind="inventory_loss")
    assert StockMove.objects.get(to_location=loss).reason == "Scrap: Rusty"


def test_pages_by_role(client, login, company, warehouse, product):
    # finance sees stock, moves, warehouses and counts but changes nothing
    login(member(company, "finance"))
    for url in ("/inventory/stock/", "/inventory/moves/", "/inventory/warehouses/", "/inventory/counts/"):
        assert client.get(url).status_code == 200, url
    for url in ("/inventory/warehouses/new/", "/inventory/locations/new/", f"/inventory/counts/{warehouse.stock_location_id}/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/inventory/stock/scrap/", {}).status_code == 403
    # the menu offers the inventory pages to operations, in the back office
    login(member(company, "operations"))
    menu = client.get("/").content.decode()
    for url in ("/inventory/products/", "/inventory/stock/", "/inventory/transfers/", "/inventory/moves/", "/inventory/counts/"):
        assert f'href="{url}"' in menu
