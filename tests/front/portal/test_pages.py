"""The customer's pages: their own records only, a fixed number of queries, another customer's ids are 404."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from spona.back.finance.selectors import party_invoices
from spona.core.models import Membership
from spona.front.sales.models import OrderDocument
from spona.front.support import services as support
from spona.front.support.selectors import party_tickets
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db


def _ids(portal, order):
    docs = {d.kind: d for d in OrderDocument.objects.filter(order=order)}
    return {"order": order.pk, "delivery": docs["delivery"].transfer_id, "invoice": docs["invoice"].invoice_id}


@pytest.fixture
def logged_in(client, portal):
    client.force_login(portal.contact)
    return client


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("portal:home", 8),
        ("portal:ticket_list", 6),
        ("portal:order_list", 6),
        ("portal:delivery_list", 6),
        ("portal:invoice_list", 6),
        ("portal:article_list", 6),
        ("portal:ticket_create", 5),
    ],
)
def test_list_pages_show_only_the_customers_records_in_fixed_queries(logged_in, portal, django_assert_num_queries, name, queries):
    # given one delivered and invoiced order of the customer and one of a rival customer
    # when the contact opens the page, then it answers in a fixed number of queries
    with django_assert_num_queries(queries):
        response = logged_in.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    # then the rival's documents never appear
    rival = _ids(portal, portal.rival_order)
    assert portal.rival_order.number not in body
    assert reverse("portal:delivery_detail", args=[rival["delivery"]]) not in body
    assert reverse("portal:invoice_detail", args=[rival["invoice"]]) not in body


def test_the_lists_show_the_order_its_delivery_and_its_invoice(logged_in, portal):
    own = _ids(portal, portal.order)
    assert portal.order.number in logged_in.get(reverse("portal:order_list")).content.decode()
    assert (
        reverse("portal:delivery_detail", args=[own["delivery"]])
        in logged_in.get(reverse("portal:delivery_list")).content.decode()
    )
    invoices = logged_in.get(reverse("portal:invoice_list")).content.decode()
    assert reverse("portal:invoice_pdf", args=[own["invoice"]]) in invoices


def test_detail_pages_of_the_customers_records_open(logged_in, portal, django_assert_max_num_queries):
    own = _ids(portal, portal.order)
    # when the contact opens her order, then the lines show what is delivered, with the delivery and the invoice
    with django_assert_max_num_queries(14):
        order = logged_in.get(reverse("portal:order_detail", args=[own["order"]]))
    body = order.content.decode()
    assert order.status_code == 200
    assert reverse("portal:delivery_detail", args=[own["delivery"]]) in body
    assert reverse("portal:invoice_detail", args=[own["invoice"]]) in body
    assert logged_in.get(reverse("portal:delivery_detail", args=[own["delivery"]])).status_code == 200
    # and the invoice shows what is still to pay: all of it (24.00 with 20 % VAT on 2 × 10.00)
    invoice = logged_in.get(reverse("portal:invoice_detail", args=[own["invoice"]])).content.decode()
    assert "24.00 EUR" in invoice
    assert [i.residual for i in party_invoices(company=portal.world.company, party_id=portal.customer.pk)] == [24]


def test_the_invoice_pdf_downloads(logged_in, portal):
    own = _ids(portal, portal.order)
    response = logged_in.get(reverse("portal:invoice_pdf", args=[own["invoice"]]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_another_customers_records_are_404(logged_in, portal):
    rival = _ids(portal, portal.rival_order)
    ticket = support.ticket_create(
        actor=member(portal.world.company, "support"),
        company=portal.world.company,
        data=support.TicketInput(subject="Rival's problem", text="Secret", party_id=portal.rival.pk),
    )
    for url in (
        reverse("portal:order_detail", args=[rival["order"]]),
        reverse("portal:delivery_detail", args=[rival["delivery"]]),
        reverse("portal:invoice_detail", args=[rival["invoice"]]),
        reverse("portal:invoice_pdf", args=[rival["invoice"]]),
        reverse("portal:ticket_detail", args=[ticket.pk]),
    ):
        response = logged_in.get(url)
        assert response.status_code == 404, url
        assert b"Rival" not in response.content
    assert logged_in.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "Planted"}).status_code == 404
    assert ticket.messages.count() == 1


def test_a_ticket_shows_agent_replies_but_never_internal_notes(logged_in, portal):
    # given a ticket the contact opened, answered by an agent, with an internal note
    company = portal.world.company
    response = logged_in.post(reverse("portal:ticket_create"), {"subject": "Chair is wobbly", "text": "One leg is short."})
    assert response.status_code == 302
    ticket = party_tickets(company=company, party_id=portal.customer.pk)[0]
    agent = member(company, "support")
    support.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="Internal: customer is VIP", note=True)
    support.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="We send a new leg today.")
    # when she opens it
    body = logged_in.get(reverse("portal:ticket_detail", args=[ticket.pk])).content.decode()
    # then she sees her message and the answer, not the note
    assert "One leg is short." in body and "We send a new leg today." in body
    assert "VIP" not in body
    # when she replies, then the reply joins the thread
    assert logged_in.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "Thanks!"}).status_code == 302
    assert ticket.messages.filter(kind="customer").count() == 2


def test_suggestions_show_public_articles_only(logged_in, portal):
    agent = member(portal.world.company, "support")
    support.article_create(
        actor=agent,
        company=portal.world.company,
        title="Wobbly chairs",
        body_markdown="Tighten the screws.",
        is_published=True,
        visibility="public",
    )
    support.article_create(
        actor=agent,
        company=portal.world.company,
        title="Wobbly chairs: internal",
        body_markdown="Refund policy.",
        is_published=True,
        visibility="internal",
    )
    body = logged_in.get(reverse("portal:ticket_suggestions"), {"subject": "my chair is wobbly"}).content.decode()
    assert "Wobbly chairs</a>" in body and "internal" not in body


def test_staff_and_deactivated_contacts_are_kept_out(client, portal):
    # given staff: the portal is not theirs
    client.force_login(portal.world.seller)
    assert client.get(reverse("portal:home")).status_code == 403
    # given the contact: staff pages are closed
    client.force_login(portal.contact)
    assert client.get(reverse("web:home")).status_code == 403
    assert client.get(reverse("sales:order_list")).status_code == 403
    # given a deactivated contact: the session ends
    portal.contact.is_active = False
    portal.contact.save()
    assert client.get(reverse("portal:home")).status_code == 302


def test_the_login_takes_a_contact_to_the_portal(client, portal):
    response = client.post(reverse("web:login"), {"email": portal.contact.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert Membership.objects.get(user=portal.contact).party == portal.customer


def test_a_contact_resets_a_forgotten_password_and_lands_on_the_portal(client, portal):
    # given a contact who forgot her password
    # when she asks for a reset link, then it arrives by e-mail
    client.post(reverse("web:password_reset"), {"email": portal.contact.email})
    [message] = mail.outbox
    link = re.search(r"/password/reset/[^/]+/[^/\s]+/", message.body).group(0)
    # when she follows it and chooses a new password
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "new-portal-secret-7", "new_password2": "new-portal-secret-7"}
    )
    assert done.status_code == 302
    # then she logs in with it and lands on the portal
    response = client.post(reverse("web:login"), {"email": portal.contact.email, "password": "new-portal-secret-7"})
    assert response["Location"] == reverse("portal:home")
