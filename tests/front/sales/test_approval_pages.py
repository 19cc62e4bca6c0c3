"""Deciding a quotation's discount or an order's credit limit on its own page: who must decide, the buttons, the history."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from spona.front.sales import services
from spona.front.sales.models import Order, Quotation
from tests.factories import deliver_events

pytestmark = pytest.mark.django_db


def _discounted(world, discount=D(15)):
    return services.quotation_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(1), discount=discount)],
    )


def test_the_salesperson_sees_who_must_approve_but_gets_no_buttons(client, world):
    # given a quotation whose 15 % discount waits for approval
    quotation = _discounted(world)
    # when the salesperson who asked opens it
    client.force_login(world.seller)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    # then the page says a manager with the management role decides, and offers no decision
    assert 'id="approval-waiting"' in page and "Management" in page
    assert 'id="approval-form"' not in page
    # and deciding anyway is refused: nobody approves their own request
    client.post(reverse("sales:quotation_approval", args=[quotation.pk]), {"decision": "approve", "comment": ""})
    deliver_events()
    assert Quotation.objects.get(pk=quotation.pk).approval == "pending"


def test_a_manager_approves_the_discount_on_the_page_and_the_quotation_can_be_sent(client, world):
    # given a quotation whose discount waits for approval
    quotation = _discounted(world)
    client.force_login(world.manager)
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert 'id="approval-form"' in page
    # when the manager approves it with a comment
    response = client.post(
        reverse("sales:quotation_approval", args=[quotation.pk]), {"decision": "approve", "comment": "Loyal customer"}
    )
    deliver_events()
    # then the quotation is approved, can be sent, and the history names the manager and the comment
    assert response.status_code == 302 and response["Location"] == reverse("sales:quotation_detail", args=[quotation.pk])
    assert Quotation.objects.get(pk=quotation.pk).approval == "approved"
    page = client.get(response["Location"]).content.decode()
    assert 'id="send-quotation"' in page and 'id="approval-form"' not in page
    assert "Mara Manager" in page and "Loyal customer" in page


def test_rejecting_needs_a_reason_and_then_blocks_the_quotation(client, world):
    # given a quotation whose discount waits for approval, opened by the manager
    quotation = _discounted(world)
    client.force_login(world.manager)
    url = reverse("sales:quotation_approval", args=[quotation.pk])
    # when the manager rejects without a comment
    client.post(url, {"decision": "reject", "comment": "  "})
    deliver_events()
    # then nothing is decided and the page says why
    assert Quotation.objects.get(pk=quotation.pk).approval == "pending"
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert "Say why you reject it" in page
    # when the manager rejects with a reason
    client.post(url, {"decision": "reject", "comment": "Too low for this volume"})
    deliver_events()
    # then the discount is rejected and the quotation cannot be sent
    assert Quotation.objects.get(pk=quotation.pk).approval == "rejected"
    page = client.get(reverse("sales:quotation_detail", args=[quotation.pk])).content.decode()
    assert 'id="send-quotation"' not in page and "Too low for this volume" in page


def test_a_manager_approves_the_credit_limit_on_the_order_page_and_the_order_is_confirmed(client, world):
    # given an order held over the customer's credit limit of 20.00
    services.customer_terms_set(actor=world.seller, company=world.company, party_id=world.customer.pk, credit_limit=D(20))
    order = services.order_create(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        lines=[services.LineIn(product_id=world.products[0].pk, quantity=D(2))],
    )
    services.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    client.force_login(world.manager)
    page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert "Credit limit" in page and 'id="approval-form"' in page
    # when the manager approves it
    client.post(reverse("sales:order_approval", args=[order.pk]), {"decision": "approve", "comment": "Pays late but pays"})
    deliver_events()
    # then the order is confirmed
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_a_record_without_a_pending_approval_answers_with_a_message(client, world):
    # given a quotation without a discount
    quotation = _discounted(world, discount=D(0))
    client.force_login(world.manager)
    # when a decision is posted anyway
    response = client.post(reverse("sales:quotation_approval", args=[quotation.pk]), {"decision": "approve"}, follow=True)
    # then the page says nothing waits, and shows no approval panel
    body = response.content.decode()
    assert response.status_code == 200 and "Nothing here waits for approval." in body and 'id="approval-panel"' not in body
