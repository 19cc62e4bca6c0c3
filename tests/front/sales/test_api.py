"""The sales API: quotation create/send/accept, order lifecycle, protected fields, errors as problem JSON."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.inventory.services import transfer_validate
from spona.front.sales.models import OrderDocument, Quotation
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import deliver_events

pytestmark = pytest.mark.django_db
SALES = f"{API}/sales"


@pytest.fixture
def seller(api_as, world):  # noqa: F811
    return api_as(world.seller)


def test_quotation_created_sent_and_accepted_through_the_api(seller, world):
    # when a quotation of 2 desks (price list: catalogue 25.50) is created, sent and accepted
    body = {"party_id": world.customer.pk, "lines": [{"product_id": world.products[1].pk, "quantity": "2"}]}
    created = seller.post(f"{SALES}/quotations", body, content_type="application/json")
    assert created.status_code == 201, created.content
    quotation = created.json()
    assert (quotation["status"], quotation["total"], quotation["lines"][0]["unit_price"]) == ("draft", "61.2000", "25.5000")
    sent = seller.post(f"{SALES}/quotations/{quotation['id']}/send", content_type="application/json")
    assert sent.json()["status"] == "sent"
    accepted = seller.post(f"{SALES}/quotations/{quotation['id']}/accept", {}, content_type="application/json")
    # then its order is confirmed
    assert accepted.status_code == 201, accepted.content
    order = accepted.json()
    assert (order["status"], order["total"], order["quotation_id"]) == ("confirmed", "61.2000", quotation["id"])
    # and accepting again answers 409
    assert_problem(seller.post(f"{SALES}/quotations/{quotation['id']}/accept", {}, content_type="application/json"), 409)


def test_order_lifecycle_and_protected_fields(seller, world):
    # an order may not set its status or totals
    refused = seller.post(
        f"{SALES}/orders",
        {"party_id": world.customer.pk, "status": "done", "lines": [{"product_id": world.products[0].pk, "quantity": "1"}]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    # a valid one is drafted, confirmed, delivered, invoiced
    created = seller.post(
        f"{SALES}/orders",
        {"party_id": world.customer.pk, "lines": [{"product_id": world.products[0].pk, "quantity": "1"}]},
        content_type="application/json",
    )
    order = created.json()
    assert seller.post(f"{SALES}/orders/{order['id']}/confirm", content_type="application/json").json()["status"] == "confirmed"
    transfer_validate(
        actor=None,
        company=world.company,
        transfer_id=OrderDocument.objects.get(order_id=order["id"], kind="delivery").transfer_id,
    )
    deliver_events()
    invoiced = seller.post(f"{SALES}/orders/{order['id']}/invoice", content_type="application/json")
    assert invoiced.status_code == 201 and invoiced.json()["number"]
    assert seller.get(f"{SALES}/orders/{order['id']}").json()["lines"][0]["qty_invoiced"] == "1.0000"
    # an invoiced order cannot be cancelled
    assert_problem(seller.post(f"{SALES}/orders/{order['id']}/cancel", {}, content_type="application/json"), 409)


def test_another_companys_quotation_is_404_and_bad_lines_are_422(seller, world, other_company):
    from tests.front.sales.world import sales_world

    foreign = sales_world(other_company)
    from spona.front.sales import services

    theirs = services.quotation_create(
        actor=None,
        company=other_company,
        party_id=foreign.customer.pk,
        lines=[services.LineIn(product_id=foreign.products[0].pk, quantity=D(1))],
    )
    assert_problem(seller.get(f"{SALES}/quotations/{theirs.pk}"), 404)
    bad = seller.post(
        f"{SALES}/quotations",
        {"party_id": world.customer.pk, "lines": [{"product_id": foreign.products[0].pk, "quantity": "1"}]},
        content_type="application/json",
    )
    assert "lines[0]" in assert_problem(bad, 422)["errors"]
    assert not Quotation.objects.filter(company=world.company).exists()
