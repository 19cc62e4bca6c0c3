"""Purchasing pages: roles, an RFQ from the form to the match, replenishment in one click, pinned query counts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.purchasing import services
from spona.back.purchasing.models import PurchaseOrder
from tests.back.purchasing.helpers import confirmed_order, receive
from tests.factories import deliver_events, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "view", "manage"),
    [("operations", 200, 200), ("finance", 200, 403), ("management", 200, 200), ("sales", 403, 403)],
)
def test_pages_answer_by_role(client, world, role, view, manage):
    client.force_login(member(world.company, role))
    for url in (
        "/purchasing/",
        "/purchasing/rules/",
        "/purchasing/replenishment/",
        "/purchasing/performance/",
        "/purchasing/settings/",
    ):
        assert client.get(url).status_code == view, url
    assert client.get("/purchasing/orders/new/").status_code == manage
    assert client.get("/purchasing/rules/new/").status_code == manage


def test_an_rfq_from_the_form_to_the_bill_and_its_match(client, world):
    client.force_login(world.buyer)
    # when the buyer drafts an RFQ for 100 bolts, leaving the price to the supplier's break
    response = client.post(
        "/purchasing/orders/new/",
        {
            "supplier": world.supplier.pk,
            "warehouse": world.warehouse.pk,
            "currency": "EUR",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": world.bolt.pk,
            "lines-0-quantity": "100",
            "lines-1-product": "",
        },
    )
    order = PurchaseOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/purchasing/orders/{order.pk}/"
    assert (order.total, order.lines.get().unit_price) == (D("180.00"), D("1.80"))
    # and confirms it, the warehouse receives it, and the buyer creates the bill
    assert client.post(f"/purchasing/orders/{order.pk}/confirm/").status_code == 302
    order.refresh_from_db()
    receive(world, order)
    deliver_events()
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert "Received" in page and "Create bill" in page
    response = client.post(f"/purchasing/orders/{order.pk}/bill/", {"reference": "VIJ-1"})
    assert response["Location"] == f"/purchasing/orders/{order.pk}/match/"
    # then finance sees a clean match and posts the bill from it
    client.force_login(world.accountant)
    match = client.get(f"/purchasing/orders/{order.pk}/match/").content.decode()
    assert "matches" in match and "Post bill" in match
    bill = order.bills.get()
    assert client.post(f"/purchasing/bills/{bill.pk}/post/").status_code == 302
    bill.invoice.refresh_from_db()
    assert bill.invoice.state == "posted"


def test_a_form_error_stays_on_the_form(client, world):
    client.force_login(world.buyer)
    response = client.post(
        "/purchasing/orders/new/",
        {"supplier": world.supplier.pk, "warehouse": world.warehouse.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "An order needs at least one line." in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_replenishment_in_one_click(client, world):
    rule = services.rule_create(
        actor=world.buyer,
        company=world.company,
        data=services.RuleIn(product_id=world.bolt.pk, warehouse_id=world.warehouse.pk, min_quantity=D(10), max_quantity=D(50)),
    )
    client.force_login(world.buyer)
    page = client.get("/purchasing/replenishment/").content.decode()
    assert "Vijci d.o.o." in page and f'value="{rule.pk}"' in page
    response = client.post("/purchasing/replenishment/order/", {"rule": [str(rule.pk)]})
    assert response.status_code == 302
    assert PurchaseOrder.objects.get().lines.get().quantity == D(50)
    assert "Nothing to buy" in client.get("/purchasing/replenishment/").content.decode()


def test_the_pdf_of_an_rfq(client, world):
    order = confirmed_order(world, quantity=10)
    client.force_login(world.buyer)
    response = client.get(f"/purchasing/orders/{order.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_list_query_counts_are_pinned(client, world, django_assert_max_num_queries):
    for _ in range(30):
        confirmed_order(world, quantity=5)
    for product in (world.bolt, world.nut):
        services.rule_create(
            actor=world.buyer,
            company=world.company,
            data=services.RuleIn(product_id=product.pk, warehouse_id=world.warehouse.pk, min_quantity=D(1), max_quantity=D(2)),
        )
    client.force_login(world.buyer)
    with django_assert_max_num_queries(9):
        assert client.get("/purchasing/").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get("/purchasing/rules/").status_code == 200
