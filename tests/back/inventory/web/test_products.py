"""Product pages: list with search and filters (query count pinned), detail, create and edit, variants, supplier prices."""

from __future__ import annotations

from decimal import Decimal as D

from spona.back.inventory import services
from spona.back.inventory.models import Product, SupplierInfo
from tests.back.inventory.helpers import delivery, receive
from tests.factories import member


def test_the_list_searches_sku_name_and_barcode_and_shows_stock(client, login, company, clerk, warehouse, make_product):
    # given three products, one with stock
    bolt = make_product("BOLT", name="Hex bolt", barcode="8600000000017")
    make_product("NUT", name="Hex nut")
    make_product("TAPE", name="Packing tape", kind="consumable")
    receive(company, warehouse, bolt, 12)
    login(clerk)
    # when the list is searched by name, SKU and exact barcode
    names = lambda response: [r["product"].sku for r in response.context["rows"]]  # noqa: E731
    assert names(client.get("/inventory/products/?q=hex")) == ["BOLT", "NUT"]
    assert names(client.get("/inventory/products/?q=tap")) == ["TAPE"]
    assert names(client.get("/inventory/products/?q=8600000000017")) == ["BOLT"]
    assert names(client.get("/inventory/products/?kind=consumable")) == ["TAPE"]
    # then the stock shows on the row, and htmx gets only the results
    response = client.get("/inventory/products/?q=BOLT", headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode() and "12 Units" in response.content.decode()


def test_product_list_query_count_is_pinned_and_pages_by_keyset(
    client, login, company, clerk, warehouse, make_product, django_assert_max_num_queries
):
    # given 30 products with stock in two locations
    shelf = services.location_create(actor=None, company=company, parent_id=warehouse.stock_location_id, name="Shelf A")
    for n in range(30):
        product = make_product(f"P{n:02d}", name=f"Product {n:02d}")
        receive(company, warehouse, product, n + 1)
        services.move_create(
            actor=None,
            company=company,
            product_id=product.pk,
            from_location_id=warehouse.stock_location_id,
            to_location_id=shelf.pk,
            quantity=D(1),
            done=True,
        )
    login(clerk)
    # the page costs the same number of queries however many rows it shows (no N+1)
    with django_assert_max_num_queries(9):
        response = client.get("/inventory/products/")
    assert response.status_code == 200 and len(response.context["rows"]) == 25
    # and the next page starts where the first ended
    second = client.get(f"/inventory/products/?cursor={response.context['page'].next_cursor}")
    assert [r["product"].sku for r in second.context["rows"]] == [f"P{n}" for n in range(25, 30)]
    assert client.get("/inventory/products/?cursor=garbage").status_code == 200


def test_the_detail_shows_stock_per_location_reserved_moves_and_supplier_prices(
    client, login, company, clerk, warehouse, product, supplier, customer
):
    # given 10 received, 4 reserved by a confirmed delivery, and a supplier's price breaks
    receive(company, warehouse, product, 10, party=supplier)
    out = delivery(company, warehouse, product, 4, party=customer)
    services.transfer_confirm(actor=None, company=company, transfer_id=out.pk)
    services.supplier_info_set(
        actor=None,
        company=company,
        product_id=product.pk,
        supplier_id=supplier.pk,
        price_breaks=[(D(1), D("0.45")), (D(100), D("0.40"))],
        supplier_code="SUP-B",
        lead_time_days=5,
    )
    login(clerk)
    # when the product is opened
    page = client.get(f"/inventory/products/{product.pk}/").content.decode()
    # then each figure is there
    assert "10 Units on hand, 4 reserved, 6 available" in page
    assert "WH/Stock" in page and "WH/IN/00001" in page
    assert "Supplies Ltd" in page and "SUP-B" in page and "from 100: 0.4 EUR" in page and "Lead time 5 days" in page


def test_create_and_edit_a_product_with_a_stale_edit_refused(client, login, company, clerk, units):
    login(clerk)
    data = {
        "name": "Claw hammer",
        "sku": "HAM-1",
        "barcode": "",
        "kind": "goods",
        "uom": units["unit"].pk,
        "sale_price": "12.90",
        "cost_price": "6.40",
        "tracking": "none",
        "is_active": "on",
    }
    # when a product is created
    response = client.post("/inventory/products/new/", data)
    product = Product.objects.get(sku="HAM-1")
    assert response.status_code == 302 and response["Location"] == f"/inventory/products/{product.pk}/"
    assert product.sale_price == D("12.90") and product.purchase_uom == units["unit"]
    # and edited with the version it was opened at
    assert (
        client.post(f"/inventory/products/{product.pk}/edit/", {**data, "name": "Claw hammer 500 g", "version": 1}).status_code
        == 302
    )
    # then a second edit from the same stale form is refused with a conflict, nothing overwritten
    response = client.post(f"/inventory/products/{product.pk}/edit/", {**data, "name": "Overwrite", "version": 1})
    assert response.status_code == 409 and "Someone else changed this product" in response.content.decode()
    assert Product.objects.get(pk=product.pk).name == "Claw hammer 500 g"
    # and a duplicate SKU is shown on its field
    response = client.post("/inventory/products/new/", data)
    assert response.status_code == 422 and "SKU HAM-1 is used by another product" in response.content.decode()


def test_variants_from_an_attribute_and_a_template(client, login, company, clerk, units):
    login(clerk)
    # given an attribute added through its form
    assert client.post("/inventory/products/attributes/new/", {"name": "Size", "values": "S, M, L"}).status_code == 302
    values = client.get("/inventory/products/variants/new/").context["form"].fields["values"].choices
    # when a template with two of its values is created
    chosen = [pk for pk, label in values if label in ("Size: S", "Size: L")]
    data = {
        "name": "Work gloves",
        "sku_prefix": "gl",
        "values": chosen,
        "kind": "goods",
        "uom": units["unit"].pk,
        "sale_price": "3.80",
        "cost_price": "1.90",
        "tracking": "none",
    }
    response = client.post("/inventory/products/variants/new/", data)
    # then one product per value exists, named and numbered after it
    assert response.status_code == 302 and response["Location"] == "/inventory/products/?q=GL"
    assert sorted(Product.objects.filter(company=company, template__isnull=False).values_list("sku", "name")) == [
        ("GL-L", "Work gloves (L)"),
        ("GL-S", "Work gloves (S)"),
    ]


def test_supplier_prices_form_parses_breaks_and_refuses_garbage(client, login, company, clerk, product, supplier):
    login(clerk)
    url = f"/inventory/products/{product.pk}/suppliers/"
    response = client.post(
        url, {"supplier": supplier.pk, "lead_time_days": 3, "sequence": 10, "price_breaks": "1: 4.20\nmany: 3"}
    )
    assert response.status_code == 422 and "Line 2" in response.content.decode()
    response = client.post(
        url, {"supplier": supplier.pk, "lead_time_days": 3, "sequence": 10, "price_breaks": "1: 4.20\n100: 3.90"}
    )
    assert response.status_code == 302
    info = SupplierInfo.objects.get(product=product)
    assert [(b.min_quantity, b.price) for b in info.price_breaks.all()] == [(D(1), D("4.20")), (D(100), D("3.90"))]


def test_roles_sales_reads_operations_changes_support_sees_nothing(client, login, company, product):
    # sales sees the catalogue but not the buttons that change it
    login(member(company, "sales"))
    page = client.get("/inventory/products/").content.decode()
    assert "BOLT" in page and "New product" not in page
    assert client.get("/inventory/products/new/").status_code == 403
    assert client.post(f"/inventory/products/{product.pk}/edit/", {"name": "x"}).status_code == 403
    # support has no inventory role at all, and the menu does not offer it
    login(member(company, "support"))
    assert client.get("/inventory/products/").status_code == 403
    assert "/inventory/" not in client.get("/").content.decode()


def test_another_companys_product_is_not_found(client, login, company, other_company, clerk, units):
    foreign_unit = services.uom_create(
        actor=None,
        company=other_company,
        category_id=services.uom_category_create(actor=None, company=other_company, name="Count").pk,
        name="pcs",
    )
    foreign = services.product_create(
        actor=None, company=other_company, data=services.ProductInput(name="Globex Secret", sku="G1", uom_id=foreign_unit.pk)
    )
    login(clerk)
    for url in (f"/inventory/products/{foreign.pk}/", f"/inventory/products/{foreign.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert "Globex Secret" not in client.get("/inventory/products/search.json?q=Globex").content.decode()
