"""The inventory API's contract: shapes, filters, state changes, and the errors a client must handle."""

from __future__ import annotations

from decimal import Decimal as D

from spona.back.inventory import selectors
from spona.back.inventory.models import Product, Reservation
from tests.api.conftest import assert_problem
from tests.back.inventory.helpers import receive
from tests.factories import member

API = "/api/v1/inventory"
JSON = "application/json"


def test_products_create_read_update_with_version_and_refusals(api_as, clerk, units):
    client = api_as(clerk)
    # given a new product, with decimal strings for prices
    body = {"name": "Hex bolt M8", "sku": "BOLT-M8", "uom_id": units["unit"].pk, "cost_price": "0.12", "barcode": "8600000000017"}
    response = client.post(f"{API}/products", body, content_type=JSON)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["sku"], created["cost_price"], created["uom"], created["version"]) == ("BOLT-M8", "0.12", "Units", 1)
    # it is found by SKU and by exact barcode
    assert [p["id"] for p in client.get(f"{API}/products?q=bolt-m").json()["items"]] == [created["id"]]
    assert [p["id"] for p in client.get(f"{API}/products?q=8600000000017").json()["items"]] == [created["id"]]
    # when it is updated with the version read, the version grows
    response = client.put(f"{API}/products/{created['id']}", {**body, "name": "Hex bolt M8x40", "version": 1}, content_type=JSON)
    assert response.status_code == 200 and response.json()["version"] == 2
    # then a stale version answers 409 and changes nothing
    response = client.put(f"{API}/products/{created['id']}", {**body, "name": "Stale", "version": 1}, content_type=JSON)
    assert_problem(response, 409, "conflict")
    assert Product.objects.get(pk=created["id"]).name == "Hex bolt M8x40"
    # a duplicate SKU is a field error; company, version and state cannot be written (SEC2)
    body_errors = assert_problem(client.post(f"{API}/products", body, content_type=JSON), 422)["errors"]
    assert "sku" in body_errors
    assert_problem(client.post(f"{API}/products", {**body, "sku": "X", "company_id": 2}, content_type=JSON), 422)
    assert_problem(client.post(f"{API}/products", {**body, "sku": "X", "cost_price": 0.1}, content_type=JSON), 422)


def test_stock_moves_and_a_transfer_from_draft_to_done_with_a_backorder(api_as, clerk, company, warehouse, product, customer):
    client = api_as(clerk)
    receive(company, warehouse, product, 10)
    # given a delivery of 6 drafted through the API
    body = {
        "kind": "delivery",
        "warehouse_id": warehouse.pk,
        "party_id": customer.pk,
        "lines": [{"product_id": product.pk, "quantity": "6"}],
    }
    response = client.post(f"{API}/transfers", body, content_type=JSON)
    assert response.status_code == 201, response.content
    transfer = response.json()
    assert (transfer["number"], transfer["state"], transfer["lines"][0]["quantity"]) == ("WH/OUT/00001", "draft", "6")
    # when it is confirmed, 6 are reserved
    assert client.post(f"{API}/transfers/{transfer['id']}/confirm").json()["state"] == "confirmed"
    stock = client.get(f"{API}/stock?location_id={warehouse.stock_location_id}").json()["items"]
    assert [(s["sku"], s["on_hand"], s["reserved"], s["available"]) for s in stock] == [("BOLT", "10", "6", "4")]
    # and validated with 4 of 6: the rest waits on a backorder
    line_id = transfer["lines"][0]["id"]
    response = client.post(
        f"{API}/transfers/{transfer['id']}/validate", {"quantities": [{"line_id": line_id, "quantity": "4"}]}, content_type=JSON
    )
    done = response.json()
    assert (done["state"], done["lines"][0]["quantity_done"], len(done["backorder_ids"])) == ("done", "4", 1)
    backorder = client.get(f"{API}/transfers/{done['backorder_ids'][0]}").json()
    assert (backorder["state"], backorder["lines"][0]["quantity"], backorder["backorder_of_id"]) == ("confirmed", "2", done["id"])
    # then validating again answers 409; cancelling the backorder releases its 2
    assert_problem(client.post(f"{API}/transfers/{done['id']}/validate", {}, content_type=JSON), 409, "invalid_state")
    assert client.post(f"{API}/transfers/{backorder['id']}/cancel").json()["state"] == "cancelled"
    moves = client.get(f"{API}/moves?product_id={product.pk}").json()["items"]
    assert [(m["quantity"], m["to_location"]) for m in moves] == [("4", "Customers"), ("10", "WH/Stock")]
    assert client.get(f"{API}/transfers?kind=delivery&state=done").json()["items"][0]["id"] == done["id"]
    assert selectors.stock_check(company) == []


def test_reservations_last_unit_and_release(api_as, clerk, company, warehouse, product):
    client = api_as(clerk)
    receive(company, warehouse, product, 1)
    body = {"product_id": product.pk, "location_id": warehouse.view_location_id, "quantity": "1", "reference": "SO-1"}
    # given the last unit reserved
    response = client.post(f"{API}/reservations", body, content_type=JSON)
    assert response.status_code == 201 and response.json()["state"] == "open"
    # when a second client asks for it, it is refused with the figures
    problem = assert_problem(client.post(f"{API}/reservations", {**body, "reference": "SO-2"}, content_type=JSON), 409)
    assert problem["code"] == "insufficient_stock" and "1 requested" in problem["detail"]
    # then releasing gives it back
    released = client.post(f"{API}/reservations/{response.json()['id']}/release", {}, content_type=JSON).json()
    assert (released["state"], released["quantity"]) == ("released", "0")
    assert Reservation.objects.filter(state="open").count() == 0


def test_warehouses_create_and_list(api_as, clerk):
    client = api_as(clerk)
    response = client.post(f"{API}/warehouses", {"code": "nb", "name": "Novi Beograd"}, content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["stock_location"]["full_name"] == "NB/Stock"
    assert [w["code"] for w in client.get(f"{API}/warehouses").json()] == ["NB"]
    assert_problem(client.post(f"{API}/warehouses", {"code": "NB", "name": "Again"}, content_type=JSON), 422)


def test_sales_reads_but_cannot_change_and_foreign_ids_are_404(api_as, company, other_company, warehouse, product):
    sales = api_as(member(company, "sales"))
    assert sales.get(f"{API}/products").status_code == 200
    assert_problem(sales.post(f"{API}/warehouses", {"code": "X", "name": "X"}, content_type=JSON), 403)
    stranger = api_as(member(other_company, "admin"), in_company=other_company)
    assert_problem(stranger.get(f"{API}/products/{product.pk}"), 404)
    body = {"product_id": product.pk, "location_id": warehouse.stock_location_id, "quantity": "1", "reference": "x"}
    assert stranger.post(f"{API}/reservations", body, content_type=JSON).status_code == 404
    assert stranger.get(f"{API}/products").json()["items"] == []


def test_quantities_are_exact_decimals(api_as, clerk, warehouse, product):
    client = api_as(clerk)
    lines = [{"product_id": product.pk, "quantity": "1.5"}]
    response = client.post(
        f"{API}/transfers", {"kind": "receipt", "warehouse_id": warehouse.pk, "lines": lines}, content_type=JSON
    )
    # the unit counts whole pieces: the line is refused with its index
    assert "lines[0]" in assert_problem(response, 422)["errors"]
    assert D("1.5") not in Product.objects.get(pk=product.pk).quants.values_list("quantity", flat=True)
