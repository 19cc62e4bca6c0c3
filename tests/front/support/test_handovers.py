"""A ticket's split and hand-overs: messages into a linked ticket, a credit note asked of finance
(a draft finance posts), a return asked of sales (sales opens it)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any

import pytest
from django.urls import reverse

from spona.back.finance.models import Invoice
from spona.back.inventory.services import transfer_validate
from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from spona.front.sales import services as sales
from spona.front.sales.models import OrderDocument
from spona.front.support import services
from spona.front.support.models import Message, ReturnRequest, TicketLink
from spona.front.support.services.messages import customer_message
from tests.factories import deliver_events, party
from tests.front.sales.world import sales_world
from tests.front.support.factories import ticket


def test_chosen_messages_become_a_linked_ticket_for_the_same_customer(company, agent):
    # given a ticket where the customer raised a second, unrelated problem
    customer = party(company, "Bora Trade d.o.o.")
    first = ticket(company, agent, party_id=customer.pk, requester_email="jovana@bora.rs", priority="high")
    services.ticket_reply(actor=agent, company=company, ticket_id=first.pk, text="We look into the printer.")
    later = customer_message(company=company, ticket=first, text="Also, the scanner is broken.", from_email="jovana@bora.rs")
    # when the agent splits the scanner message off
    split = services.ticket_split(actor=agent, company=company, ticket_id=first.pk, message_ids=[later.pk], subject="Scanner")
    # then it is a new ticket for Bora with that message, linked both ways, with notes on both
    assert (split.subject, split.party, split.priority, split.requester_email) == ("Scanner", customer, "high", "jovana@bora.rs")
    assert list(split.messages.filter(kind="customer").values_list("pk", flat=True)) == [later.pk]
    assert TicketLink.objects.filter(ticket=first, record_type="support.ticket", record_id=split.pk).exists()
    assert TicketLink.objects.filter(ticket=split, record_type="support.ticket", record_id=first.pk).exists()
    assert first.messages.filter(kind=Message.Kind.NOTE, body_text__contains=split.number).exists()
    assert split.number != first.number and split.sla_policy_id == first.sla_policy_id


def test_a_split_needs_some_but_not_all_of_this_tickets_messages(company, agent):
    one = ticket(company, agent)
    two = ticket(company, agent)
    message_of_two = two.messages.get().pk
    with pytest.raises(ValidationFailed):
        services.ticket_split(actor=agent, company=company, ticket_id=one.pk, message_ids=[message_of_two], subject="")
    with pytest.raises(ValidationFailed):
        services.ticket_split(actor=agent, company=company, ticket_id=one.pk, message_ids=[one.messages.get().pk], subject="")
    assert two.messages.count() == 1


@dataclass
class Sold:
    world: Any
    order: Any
    invoice: Any
    ticket: Any


@pytest.fixture
def sold(company, agent):
    """A delivered and invoiced order of 3 chairs for the sales world's customer, and a ticket about it."""
    world = sales_world(company)
    order = sales.order_create(
        actor=world.seller,
        company=company,
        party_id=world.customer.pk,
        lines=[sales.LineIn(product_id=world.products[0].pk, quantity=D(3))],
    )
    sales.order_confirm(actor=world.seller, company=company, order_id=order.pk)
    transfer_validate(
        actor=None, company=company, transfer_id=OrderDocument.objects.get(order=order, kind="delivery").transfer_id
    )
    deliver_events()
    invoice = sales.order_invoice(actor=world.seller, company=company, order_id=order.pk).invoice
    t = ticket(company, agent, party_id=world.customer.pk, subject="Chairs arrived broken")
    return Sold(world, order, invoice, t)


def test_an_agent_requests_a_credit_note_and_finance_gets_a_draft(company, agent, sold):
    world, invoice, t = sold.world, sold.invoice, sold.ticket
    # given the invoice is not linked yet: refused
    with pytest.raises(ValidationFailed):
        services.ticket_request_credit_note(actor=agent, company=company, ticket_id=t.pk, invoice_id=invoice.pk, reason="Broken")
    services.ticket_link(actor=agent, company=company, ticket_id=t.pk, record_type="finance.invoice", record_id=invoice.pk)
    # when the agent asks for a credit note
    draft_id = services.ticket_request_credit_note(
        actor=agent, company=company, ticket_id=t.pk, invoice_id=invoice.pk, reason="Broken"
    )
    # then a draft credit note for the whole invoice waits for finance, linked to the ticket
    draft = Invoice.objects.get(pk=draft_id)
    assert (draft.kind, draft.state, draft.party_id, draft.total) == ("out_refund", "draft", world.customer.pk, invoice.total)
    assert t.links.filter(record_type="finance.invoice", record_id=draft.pk).exists()
    assert t.messages.filter(kind="note", body_text__contains="requested from finance").exists()


def test_a_credit_note_for_another_customers_invoice_leaves_nothing_behind(company, agent, sold):
    invoice = sold.invoice
    stranger_ticket = ticket(company, agent, party_id=party(company, "Someone else").pk)
    services.ticket_link(
        actor=agent, company=company, ticket_id=stranger_ticket.pk, record_type="finance.invoice", record_id=invoice.pk
    )
    drafts = Invoice.objects.filter(company=company, kind="out_refund").count()
    with pytest.raises(ValidationFailed):
        services.ticket_request_credit_note(
            actor=agent, company=company, ticket_id=stranger_ticket.pk, invoice_id=invoice.pk, reason="Broken"
        )
    assert Invoice.objects.filter(company=company, kind="out_refund").count() == drafts


def test_support_requests_a_return_and_only_sales_opens_it(company, agent, sold):
    world, order, invoice, t = sold.world, sold.order, sold.invoice, sold.ticket
    services.ticket_link(
        actor=agent, company=company, ticket_id=t.pk, record_type="sales.order", record_id=order.pk, label=order.number
    )
    # when the agent requests a return (twice: the second is refused)
    request = services.ticket_request_return(actor=agent, company=company, ticket_id=t.pk, order_id=order.pk, reason="Broken")
    with pytest.raises(StateError):
        services.ticket_request_return(actor=agent, company=company, ticket_id=t.pk, order_id=order.pk, reason="Again")
    # then support cannot open it itself
    with pytest.raises(PermissionDenied):
        services.return_request_open(actor=agent, company=company, request_id=request.pk)
    # and a sales user opens it: the three chairs come back and the invoice is credited
    done = services.return_request_open(actor=world.seller, company=company, request_id=request.pk)
    assert (done.status, done.rma_number) == (ReturnRequest.Status.OPENED, "RMA/00001")
    assert order.returns.get().credit_note.total == invoice.total
    assert t.messages.filter(kind="note", body_text__contains="RMA/00001").exists()
    with pytest.raises(StateError):
        services.return_request_open(actor=world.seller, company=company, request_id=request.pk)


def test_the_ticket_page_splits_and_the_seller_opens_the_return_from_the_list(client, company, agent, sold):
    world, order, t = sold.world, sold.order, sold.ticket
    services.ticket_link(actor=agent, company=company, ticket_id=t.pk, record_type="sales.order", record_id=order.pk)
    services.ticket_reply(actor=agent, company=company, ticket_id=t.pk, text="Sorry to hear that.")
    client.force_login(agent)
    page = client.get(reverse("support:ticket_detail", args=[t.pk])).content.decode()
    assert 'form="split-form"' in page and 'id="return-form"' in page
    # the agent asks for the return from the ticket page, and splits her reply off
    client.post(reverse("support:ticket_return", args=[t.pk]), {"return-record": order.pk, "return-reason": "Broken"})
    reply = t.messages.get(kind="reply")
    response = client.post(reverse("support:ticket_split", args=[t.pk]), {"messages": [reply.pk], "subject": "Apology"})
    reply.refresh_from_db()
    assert response["Location"] == reverse("support:ticket_detail", args=[reply.ticket_id]) and reply.ticket_id != t.pk
    # the support agent has no return list; the seller has, and opens it
    assert client.get(reverse("support:return_request_list")).status_code == 403
    client.force_login(world.seller)
    assert t.number in client.get(reverse("support:return_request_list")).content.decode()
    request = ReturnRequest.objects.get()
    client.post(reverse("support:return_request_open", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ReturnRequest.Status.OPENED
