"""Sales pages: lists with pinned query counts, the quotation form, the order page's status and documents, the 360° panel."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from spona.back.inventory.services import transfer_validate
from spona.front.sales import services
from spona.front.sales.models import OrderDocument, Quotation
from tests.factories import deliver_events

pytestmark = pytest.mark.django_db


def _order(world, quantity=2):
    return services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(quantity))],
    )


def test_lists_take_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    # given 30 quotations and 30 orders
    for _ in range(30):
        _order(world)
        services.quotation_create(
            actor=world.seller,
            company=world.company,
            party_id=world.customer.pk,
            lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(1))],
        )
    client.force_login(world.seller)
    # then each list page (25 rows) costs the same few queries
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sales:quotation_list"))
    assert page.status_code == 200 and page.content.count(b"/sales/quotations/") >= 25
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sales:order_list"))
    assert page.status_code == 200


def test_a_quotation_made_from_the_form(client, world):
    client.force_login(world.seller)
    assert client.get(reverse("sales:quotation_create")).status_code == 200
    response = client.post(
        reverse("sales:quotation_create"),
        {"party": world.customer.pk, "product_0": world.products[0].pk, "quantity_0": "3", "discount_0": "5"},
    )
    quotation = Quotation.objects.get(company=world.company)
    assert response.status_code == 302 and response["Location"] == reverse("sales:quotation_detail", args=[quotation.pk])
    # 3 × 10.00 − 5 % = 28.50, VAT 5.70
    assert quotation.total == D("34.20")
    page = client.get(response["Location"])
    assert b"34.20" in page.content


def test_the_order_page_says_where_it_stands_and_links_its_documents(client, world):
    order = _order(world)
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    transfer = OrderDocument.objects.get(order=order, kind="delivery").transfer
    client.force_login(world.seller)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert "to deliver" in page and reverse("inventory:transfer_detail", args=[transfer.pk]) in page
    transfer_validate(actor=None, company=world.company, transfer_id=transfer.pk)
    deliver_events()
    response = client.post(reverse("sales:order_invoice", args=[order.pk]))
    assert response.status_code == 302
    invoice = OrderDocument.objects.get(order=order, kind="invoice").invoice
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert "invoiced" in page and reverse("finance:invoice_detail", args=[invoice.pk]) in page


def test_the_party_page_shows_the_sales_panel(client, world):
    order = _order(world)
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    client.force_login(world.seller)
    page = client.get(reverse("web:party_detail", args=[world.customer.pk])).content.decode()
    assert 'id="sales-panel"' in page and order.number in page
