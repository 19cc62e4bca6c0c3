"""A customer known to every department, made through the services: the data of the 360° page and of global search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

from django.utils import timezone

from spona.back.finance import services as finance
from spona.back.finance.models import Invoice, Payment
from spona.back.inventory.models import Product
from spona.back.production import services as production
from spona.back.production.models import ProductionOrder
from spona.back.purchasing import services as purchasing
from spona.back.purchasing.models import PurchaseOrder
from spona.core.models import Company, Party
from spona.front.crm import services as crm
from spona.front.crm.models import Lead, Opportunity
from spona.front.sales import services as sales
from spona.front.sales.models import Order, Quotation
from spona.front.support import services as support
from spona.front.support.models import Article, Ticket
from tests.factories import party
from tests.front.sales.world import World, sales_world


@dataclass
class Everything:
    world: World
    customer: Party
    lead: Lead
    opportunity: Opportunity
    quotation: Quotation
    order: Order
    invoice: Invoice
    bill: Invoice
    payment: Payment
    ticket: Ticket
    internal_article: Article
    public_article: Article
    product: Product
    purchase_order: PurchaseOrder
    production_order: ProductionOrder


def everything(company: Company, world: World | None = None) -> Everything:
    """Kupac d.o.o. with a lead, an opportunity, a quotation, a confirmed order, a posted and part-paid invoice,
    an open ticket, and around it a vendor bill, articles, a purchase order and a production order.

    Given the ``world`` of an earlier call, adds the same again for the same customer."""
    w = world or sales_world(company, stock=10)
    chair, desk, _lamp = w.products
    customer = w.customer
    lead = crm.lead_create(
        actor=None,
        company=company,
        data=crm.LeadInput(contact_name="Petar Kupac", company_name="Novi Kupac", email="petar@novi.rs"),
    )
    opportunity = crm.opportunity_create(
        actor=None,
        company=company,
        data=crm.OpportunityInput(title="Office chairs", party_id=customer.pk, expected_revenue=D(900)),
    )
    quotation = sales.quotation_create(
        actor=None, company=company, party_id=customer.pk, lines=[sales.LineIn(product_id=chair.pk, quantity=D(2))]
    )
    desks = [sales.LineIn(product_id=desk.pk, quantity=D(1))]
    order = sales.order_create(actor=None, company=company, party_id=customer.pk, lines=desks)
    order = sales.order_confirm(actor=None, company=company, order_id=order.pk)
    today = timezone.localdate()
    invoice = finance.invoice_create(
        actor=None,
        company=company,
        kind=Invoice.Kind.CUSTOMER_INVOICE,
        party_id=customer.pk,
        invoice_date=today,
        reference="PO-4711",
        lines=[finance.InvoiceLineIn(description="Consulting", account_id=w.accounts["4000"].pk, unit_price=D(100))],
    )
    invoice = finance.invoice_post(actor=None, company=company, invoice_id=invoice.pk)
    payment = finance.payment_register(
        actor=None,
        company=company,
        direction=Payment.Direction.INBOUND,
        party_id=customer.pk,
        amount=D(40),
        journal_id=w.bank.pk,
        date=today,
        invoice_ids=[invoice.pk],
        reference="Bank transfer 9981",
    )
    supplier = party(company, "Vijci d.o.o.")
    bill = finance.invoice_create(
        actor=None,
        company=company,
        kind=Invoice.Kind.VENDOR_BILL,
        party_id=supplier.pk,
        invoice_date=today,
        reference="VIJ-77",
        lines=[finance.InvoiceLineIn(description="Screws", account_id=w.accounts["6200"].pk, unit_price=D(30))],
    )
    ticket = support.ticket_create(
        actor=None,
        company=company,
        data=support.TicketInput(subject="Chair wobbles", text="One leg is short.", party_id=customer.pk),
    )
    internal = support.article_create(actor=None, company=company, title="Refund procedure", body_markdown="Ask finance first.")
    public = support.article_create(
        actor=None,
        company=company,
        title="Assembling your chair",
        body_markdown="Tighten every screw.",
        visibility=Article.Visibility.PUBLIC,
        is_published=True,
    )
    purchase_order = purchasing.order_create(
        actor=None,
        company=company,
        data=purchasing.OrderIn(
            supplier_id=supplier.pk,
            warehouse_id=w.warehouse.pk,
            supplier_reference="VIJ-OFFER-12",
            lines=[purchasing.LineIn(product_id=chair.pk, quantity=D(5), unit_price=D(6))],
        ),
    )
    production.bom_create(
        actor=None,
        company=company,
        data=production.BomInput(product_id=desk.pk, lines=[production.BomLineInput(product_id=chair.pk, quantity=D(1))]),
    )
    production_order = production.production_order_create(
        actor=None,
        company=company,
        product_id=desk.pk,
        quantity=D(3),
        warehouse_id=w.warehouse.pk,
        start_date=today + dt.timedelta(days=1),
        reference="MTO-1",
        party_id=customer.pk,
    )
    return Everything(
        world=w,
        customer=customer,
        lead=lead,
        opportunity=opportunity,
        quotation=quotation,
        order=order,
        invoice=invoice,
        bill=bill,
        payment=payment,
        ticket=ticket,
        internal_article=internal,
        public_article=public,
        product=chair,
        purchase_order=purchase_order,
        production_order=production_order,
    )
