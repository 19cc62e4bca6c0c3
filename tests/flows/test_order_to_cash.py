"""Order to cash, through events, as a specification of the flow (issue 5's proof).

lead → opportunity → quotation → accepted by the customer through the share link → order
confirmed (stock reserved) → delivered → invoiced → paid and reconciled, with the exact ledger
and stock figures at the end. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from spona.back.finance.selectors import account_balance, invoice_payment_state
from spona.back.finance.services import payment_register
from spona.back.inventory import selectors as stock
from spona.back.inventory.services import transfer_validate
from spona.core.models import Event
from spona.front.crm import services as crm
from spona.front.sales import services
from spona.front.sales.models import Order, OrderDocument, Quotation
from tests.factories import deliver_events
from tests.front.sales.world import sales_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; the customer's page only needs {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_lead_to_paid_order_with_exact_ledger_and_stock(company, client):
    # given a company selling chairs (10.00), desks (25.50) and lamps (4.99) with 20 % VAT, 100 of each in stock
    w = sales_world(company)
    chair, desk, lamp = w.products
    # and a lead qualified into an opportunity
    lead = crm.lead_create(
        actor=w.seller, company=company, data=crm.LeadInput(contact_name="Petar Kupac", company_name="Novi Kupac d.o.o.")
    )
    opportunity = crm.lead_qualify(actor=w.seller, company=company, lead_id=lead.pk, title="Office furniture")

    # when the salesperson quotes 2 chairs, 1 desk and 3 lamps, with a lamp-shade as an optional line, and sends it
    quotation = services.quotation_create(
        actor=w.seller,
        company=company,
        party_id=opportunity.party_id,
        opportunity_id=opportunity.pk,
        lines=[
            services.LineIn(product_id=chair.pk, quantity=D(2)),
            services.LineIn(product_id=desk.pk, quantity=D(1)),
            services.LineIn(product_id=lamp.pk, quantity=D(3)),
            services.LineIn(product_id=lamp.pk, quantity=D(1), is_optional=True, description="Spare lamp"),
        ],
    )
    services.quotation_send(actor=w.seller, company=company, quotation_id=quotation.pk)
    # then the optional line is not in the total: 60.47 + 12.09 VAT
    assert (quotation.untaxed, quotation.tax, quotation.total) == (D("60.47"), D("12.09"), D("72.56"))

    # when the customer opens the share link and accepts without the optional lamp (no login; CSRF-protected form)
    link = reverse("sales_public:quotation", args=[services.share_token(quotation)])
    page = client.get(link)
    assert page.status_code == 200 and b"Spare lamp" in page.content
    answer = client.post(link, {"decision": "accept"})
    assert answer.status_code == 302
    deliver_events()

    # then the quotation is accepted and its order is confirmed, with a delivery that reserved the stock
    quotation.refresh_from_db()
    order = Order.objects.get(quotation=quotation)
    assert (quotation.status, order.status, order.total) == ("accepted", "confirmed", D("72.56"))
    delivery = OrderDocument.objects.get(order=order, kind="delivery").transfer
    assert (delivery.reference, delivery.state) == (order.number, "confirmed")
    assert stock.stock_level(
        user=None, company=company, product_id=lamp.pk, location_id=w.warehouse.stock_location_id
    ).reserved == D(3)

    # when the warehouse ships everything and the events are delivered
    transfer_validate(actor=None, company=company, transfer_id=delivery.pk)
    deliver_events()
    # then the order knows it is delivered
    assert [line.qty_delivered for line in order.lines.order_by("sequence")] == [D(2), D(1), D(3)]

    # when it is invoiced and the customer pays the full amount to the bank
    document = services.order_invoice(actor=w.seller, company=company, order_id=order.pk)
    invoice = document.invoice
    payment_register(
        actor=None,
        company=company,
        direction="inbound",
        party_id=order.party_id,
        amount=D("72.56"),
        journal_id=w.bank.pk,
        date=timezone.localdate(),
        invoice_ids=[invoice.pk],
    )
    deliver_events()

    # then the invoice is paid and reconciled, the order done, and the ledger exact
    invoice.refresh_from_db()
    order.refresh_from_db()
    assert (invoice.total, invoice_payment_state(invoice), order.status) == (D("72.56"), "paid", "done")
    balance = {
        code: account_balance(company=company, account_id=w.accounts[code].pk) for code in ("1000", "1100", "2100", "4000")
    }
    assert balance == {"1000": D("72.56"), "1100": D(0), "2100": D("-12.09"), "4000": D("-60.47")}
    # and the stock went down by what was shipped, with nothing left reserved
    levels = [
        stock.stock_level(user=None, company=company, product_id=p.pk, location_id=w.warehouse.stock_location_id)
        for p in w.products
    ]
    assert [(x.on_hand, x.reserved) for x in levels] == [(D(98), D(0)), (D(99), D(0)), (D(97), D(0))]
    # and every step is on the customer's timeline
    names = set(Event.objects.filter(party_id=order.party_id).values_list("name", flat=True))
    assert {"sales.quotation_sent", "sales.quotation_accepted", "sales.order_confirmed", "sales.order_invoiced"} <= names
    assert {"inventory.delivered", "finance.invoice_posted", "finance.invoice_paid"} <= names
    assert Quotation.objects.get(pk=quotation.pk).lines.get(description="Spare lamp").is_chosen is False
