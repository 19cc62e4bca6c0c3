"""Transfer pages: list, the draft form with the barcode input, confirm (with a clear shortage message), validate, cancel."""

from __future__ import annotations

from decimal import Decimal as D

from spona.back.inventory import selectors, services
from spona.back.inventory.models import StockQuant, Transfer
from tests.back.inventory.helpers import delivery, receive
from tests.factories import member


def form_data(warehouse, kind="delivery", **extra):
    return {
        "kind": kind,
        "warehouse": warehouse.pk,
        "reference": "SO-7",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "",
        "lines-0-quantity": "1",
        "lines-0-lot": "",
        **extra,
    }


def test_scanning_adds_a_line_then_increments_it(client, login, clerk, warehouse, make_product):
    bolt = make_product("BOLT", barcode="8600000000017")
    nut = make_product("NUT", barcode="8600000000024")
    login(clerk)
    # given an empty form, when the bolt is scanned: the empty row takes it
    response = client.post("/inventory/transfers/scan/", form_data(warehouse, barcode="8600000000017"))
    lines = response.context["lines"]
    assert [(f["product"].value(), f["quantity"].value()) for f in lines] == [(str(bolt.pk), "1")]
    # when it is scanned twice more and a nut once (scanners may also send the SKU)
    data = form_data(warehouse, **{"lines-0-product": str(bolt.pk), "lines-0-quantity": "1", "barcode": "8600000000017"})
    data = {**data, "lines-0-quantity": client.post("/inventory/transfers/scan/", data).context["lines"][0]["quantity"].value()}
    data["barcode"] = "8600000000017"
    after = client.post("/inventory/transfers/scan/", data)
    data = {**data, "lines-0-quantity": after.context["lines"][0]["quantity"].value(), "barcode": "NUT"}
    response = client.post("/inventory/transfers/scan/", data)
    # then the bolt's line counts 3, the nut has a line of its own, and the page says what happened
    assert [(f["product"].value(), f["quantity"].value()) for f in response.context["lines"]] == [
        (str(bolt.pk), "3"),
        (str(nut.pk), "1"),
    ]
    body = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="2"' in body and "NUT: 1" in body
    # and an unknown code says so and changes nothing
    response = client.post("/inventory/transfers/scan/", {**data, "barcode": "<b>999</b>"})
    assert (
        len(response.context["lines"]) == 1 and "No product has the barcode &lt;b&gt;999&lt;/b&gt;" in response.content.decode()
    )


def test_a_delivery_drafted_on_the_form_then_confirmed_and_validated(client, login, company, clerk, warehouse, product, customer):
    receive(company, warehouse, product, 10)
    login(clerk)
    # when a delivery of 3 to a customer is saved
    data = form_data(warehouse, party=customer.pk, **{"lines-0-product": product.pk, "lines-0-quantity": "3"})
    response = client.post("/inventory/transfers/new/", data)
    transfer = Transfer.objects.get(kind="delivery")
    assert response.status_code == 302 and response["Location"] == f"/inventory/transfers/{transfer.pk}/"
    assert (transfer.number, transfer.party, transfer.reference) == ("WH/OUT/00001", customer, "SO-7")
    # and confirmed, then validated in full
    client.post(f"/inventory/transfers/{transfer.pk}/confirm/")
    line = transfer.lines.get()
    response = client.post(
        f"/inventory/transfers/{transfer.pk}/validate/", {f"line-{line.pk}": "3", "backorder": "on"}, follow=True
    )
    # then 7 are left and the page says it is done
    assert "WH/OUT/00001 is done." in response.content.decode()
    assert StockQuant.objects.get(product=product, location=warehouse.stock_location).quantity == D(7)


def test_a_shortage_reads_clearly_and_nothing_is_reserved(client, login, company, clerk, warehouse, product):
    receive(company, warehouse, product, 1)
    transfer = delivery(company, warehouse, product, 2)
    login(clerk)
    response = client.post(f"/inventory/transfers/{transfer.pk}/confirm/", follow=True)
    assert "Not enough stock: insufficient stock: 1 available, 2 requested (BOLT in WH/Stock)." in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.state == "draft" and StockQuant.objects.get(product=product).reserved == 0


def test_a_partial_validation_leaves_a_backorder_or_cancels_the_rest(client, login, company, clerk, warehouse, product):
    receive(company, warehouse, product, 10)
    first, second = delivery(company, warehouse, product, 5), delivery(company, warehouse, product, 5)
    login(clerk)
    # with the backorder box ticked, the rest waits on a new transfer
    line = first.lines.get()
    response = client.post(f"/inventory/transfers/{first.pk}/validate/", {f"line-{line.pk}": "2", "backorder": "on"}, follow=True)
    backorder = Transfer.objects.get(backorder_of=first)
    assert f"WH/OUT/00001 is done; the rest waits on backorder {backorder.number}." in response.content.decode()
    assert backorder.lines.get().quantity == D(3)
    # without it, the rest is cancelled
    line = second.lines.get()
    client.post(f"/inventory/transfers/{second.pk}/validate/", {f"line-{line.pk}": "1"})
    assert not Transfer.objects.filter(backorder_of=second).exists()
    # and a quantity above the plan is refused on its line
    third = delivery(company, warehouse, product, 1)
    line = third.lines.get()
    response = client.post(f"/inventory/transfers/{third.pk}/validate/", {f"line-{line.pk}": "5"})
    assert response.status_code == 422 and "is-invalid" in response.content.decode()
    assert selectors.stock_check(company) == []


def test_cancel_releases_and_the_list_filters(client, login, company, clerk, warehouse, product):
    receive(company, warehouse, product, 5)
    transfer = delivery(company, warehouse, product, 2)
    services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
    login(clerk)
    client.post(f"/inventory/transfers/{transfer.pk}/cancel/")
    assert Transfer.objects.get(pk=transfer.pk).state == "cancelled"
    assert StockQuant.objects.get(product=product).reserved == 0
    numbers = lambda url: [t.number for t in client.get(url).context["page"].items]  # noqa: E731
    assert numbers("/inventory/transfers/?kind=delivery") == ["WH/OUT/00001"]
    assert numbers("/inventory/transfers/?state=done") == ["WH/IN/00001"]
    assert numbers("/inventory/transfers/?q=OUT") == ["WH/OUT/00001"]


def test_form_errors_land_on_their_line_and_viewers_cannot_act(client, login, company, clerk, warehouse, product):
    login(clerk)
    # a line with a fraction of a piece is refused on that line
    response = client.post(
        "/inventory/transfers/new/", form_data(warehouse, **{"lines-0-product": product.pk, "lines-0-quantity": "1.5"})
    )
    assert response.status_code == 422 and "counted in steps of 1" in response.content.decode()
    # an empty form is refused, not a server error
    assert client.post("/inventory/transfers/new/", {}).status_code == 422
    assert client.post("/inventory/transfers/scan/", {}).status_code == 200
    # sales sees transfers but cannot change them
    transfer = delivery(company, warehouse, product, 1)
    login(member(company, "sales"))
    assert client.get(f"/inventory/transfers/{transfer.pk}/").status_code == 200
    assert "Validate" not in client.get(f"/inventory/transfers/{transfer.pk}/").content.decode()
    for action in ("confirm", "validate", "cancel"):
        assert client.post(f"/inventory/transfers/{transfer.pk}/{action}/").status_code == 403
