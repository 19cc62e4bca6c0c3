"""Production pages: lists with pinned query counts, the order's lifecycle from its page, BoM and work-centre forms."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from spona.back.production import services
from spona.back.production.models import Bom, ProductionOrder, WorkCentre


@pytest.fixture
def orders(company, warehouse, stool, stock):
    stock(stool["seat"], 50)
    stock(stool["leg"], 200)
    stock(stool["screw"], 1000)
    return [
        services.production_order_create(
            actor=None,
            company=company,
            product_id=stool["stool"].pk,
            quantity=D(2),
            warehouse_id=warehouse.pk,
            reference=f"SO-{i}",
        )
        for i in range(6)
    ]


def test_order_list_searches_and_pins_its_queries(login, planner, orders, django_assert_max_num_queries):
    client = login(planner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("production:order_list"))
    assert response.status_code == 200
    assert response.content.count(b"MO/") >= 6
    found = client.get(reverse("production:order_list"), {"q": "SO-3"}, headers={"HX-Request": "true"})
    assert found.content.count(b"MO/") == 1


def test_an_order_goes_through_its_life_on_its_page(login, planner, orders, company):
    client = login(planner)
    order = orders[0]
    # when the planner confirms it, records a batch of 1 and finishes it from the page
    client.post(reverse("production:order_confirm", args=[order.pk]))
    client.post(reverse("production:order_produce", args=[order.pk]), {"quantity": "1", "scrap_quantity": "0"})
    page = client.get(reverse("production:order_detail", args=[order.pk]))
    assert b"in progress" in page.content.lower() and b"actual-unit-cost" in page.content
    client.post(reverse("production:order_finish", args=[order.pk]))
    # then it is done with 2 stools made
    order.refresh_from_db()
    assert (order.state, order.produced_quantity) == ("done", D(2))


def test_a_refused_batch_is_a_message_not_an_error(login, planner, orders):
    client = login(planner)
    response = client.post(reverse("production:order_produce", args=[orders[0].pk]), {"quantity": "1"}, follow=True)
    assert response.status_code == 200 and b"draft" in response.content.lower()


def test_bom_form_takes_typed_lines_and_reports_a_cycle(login, planner, stool, bench):
    client = login(planner)
    # when a new stool version is typed with two components and an operation
    response = client.post(
        reverse("production:bom_create"),
        {
            "product": "STOOL",
            "output_quantity": "1",
            "lines": "SEAT 1\nLEG 4 2.5",
            "operations": "ASM 12 20 Assemble",
            "activate": "on",
        },
    )
    # then version 2 is active with those lines
    bom = Bom.objects.get(product=stool["stool"], version=2)
    assert response.status_code == 302 and bom.is_active
    assert [(line.component.sku, line.quantity, line.scrap_percent) for line in bom.lines.all()] == [
        ("SEAT", D(1), D(0)),
        ("LEG", D(4), D("2.5")),
    ]
    # and a seat made of stools is refused on the form
    refused = client.post(
        reverse("production:bom_create"), {"product": "SEAT", "output_quantity": "1", "lines": "STOOL 1", "activate": "on"}
    )
    assert refused.status_code == 200 and "SEAT → STOOL → SEAT".encode() in refused.content


def test_bom_list_and_detail(login, planner, stool, django_assert_max_num_queries):
    client = login(planner)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("production:bom_list")).status_code == 200
    page = client.get(reverse("production:bom_detail", args=[stool["bom"].pk]))
    assert b"LEG" in page.content and b"Assemble" in page.content


def test_work_centre_form_and_load_page(login, planner, orders, company, bench):
    client = login(planner)
    services.production_order_confirm(actor=None, company=company, order_id=orders[0].pk)
    response = client.post(
        reverse("production:work_centre_create"),
        {
            "code": "weld",
            "name": "Welding",
            "hours_per_day": "7.5",
            "working_days": "123456",
            "cost_per_hour": "40",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert WorkCentre.objects.get(code="WELD").working_days == "123456"
    load = client.get(reverse("production:work_centre_load", args=[bench.pk]), {"start": orders[0].start_date.isoformat()})
    assert orders[0].number.encode() in load.content


def test_sales_cannot_see_production(login, sales, orders):
    assert login(sales).get(reverse("production:order_list")).status_code == 403
    assert ProductionOrder.objects.count() == 6
