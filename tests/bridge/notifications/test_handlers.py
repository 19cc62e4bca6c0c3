"""Events → notifications: who hears about what, through the real outbox and handlers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from spona.bridge.automation import services as automation
from spona.bridge.notifications.models import Notification
from spona.core import events
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import opportunity

pytestmark = pytest.mark.django_db


def notifications():
    return list(Notification.objects.order_by("id").values_list("recipient_id", "kind", "title", "link"))


def test_an_agent_hears_of_a_ticket_assigned_to_them_by_someone_else(company, admin):
    # given an agent
    agent = member(company, "support")
    ticket = {"ticket_id": 7, "number": "T-7", "subject": "Printer", "status": "open", "priority": "normal", "channel": "email"}
    # when the admin assigns them a ticket, and the agent takes another one themselves
    events.publish("support.ticket_assigned", company=company, actor=admin, assignee_id=agent.pk, assignee="A", **ticket)
    events.publish("support.ticket_assigned", company=company, actor=agent, assignee_id=agent.pk, assignee="A", **ticket)
    deliver_events()
    # then one notification, for the first, linking to the ticket
    assert notifications() == [
        (agent.pk, "ticket_assigned", "Ticket T-7 was assigned to you", reverse("support:ticket_detail", args=[7]))
    ]
    assert Notification.objects.get().body == "Printer"


def test_a_salesperson_hears_of_an_opportunity_opened_for_them(company, admin, sales):
    # given a customer
    customer = party(company, "Nova Trade")
    # when the admin opens one opportunity for the salesperson and one for themselves
    theirs = opportunity(company, admin, customer, title="Scanners", owner_id=sales.pk)
    opportunity(company, admin, customer, title="Printers")
    deliver_events()
    # then only the salesperson is told
    assert notifications() == [
        (sales.pk, "opportunity_assigned", "Opportunity Scanners is yours", reverse("crm:opportunity_detail", args=[theirs.pk]))
    ]


def test_an_overdue_invoice_goes_to_the_customers_salesperson(company, admin, sales):
    # given a customer whose open opportunity belongs to the salesperson, and a customer nobody owns
    customer, orphan = party(company, "Nova Trade"), party(company, "Orphan Ltd")
    opportunity(company, admin, customer, owner_id=sales.pk)
    payload = {"kind": "out_invoice", "total": "120.00", "currency": "EUR", "due_date": "2026-11-01"}
    # when both have an overdue invoice
    events.publish("finance.invoice_overdue", company=company, party=customer, invoice_id=3, number="INV-3", **payload)
    events.publish("finance.invoice_overdue", company=company, party=orphan, invoice_id=4, number="INV-4", **payload)
    deliver_events()
    # then the salesperson hears of their customer's; nobody of the orphan's
    assert [n for n in notifications() if n[1] == "invoice_overdue"] == [
        (sales.pk, "invoice_overdue", "Invoice INV-3 of Nova Trade is overdue", reverse("finance:invoice_detail", args=[3]))
    ]


def test_buyers_hear_of_stock_below_the_reorder_point(company, admin):
    buyer = member(company, "operations")
    member(company, "finance")
    events.publish(
        "purchasing.below_reorder_point",
        company=company,
        rule_id=1,
        product_id=2,
        sku="PAPER-A4",
        warehouse="Main",
        forecast="40",
        min_quantity="100",
        supplier_id=None,
    )
    deliver_events()
    assert notifications() == [
        (buyer.pk, "stock_low", "PAPER-A4 is below its reorder point in Main", reverse("purchasing:replenishment"))
    ]


def test_approvers_and_then_the_requester_hear_of_an_approval(company, admin, sales):
    # given two managers
    managers = [member(company, "management") for _ in range(2)]
    # when the salesperson asks for an approval
    request = automation.approval_request(
        actor=sales,
        company=company,
        kind="sales.discount",
        record_type="sales.quotation",
        record_id=1,
        subject="20 % off",
        amount=Decimal("100"),
        currency="EUR",
    )
    link = reverse("automation:approval_detail", args=[request.pk])
    # then both managers are told in Spona (the approvals app mails them itself)
    assert notifications() == [(m.pk, "approval", "Approval needed: 20 % off", link) for m in managers]
    assert set(Notification.objects.values_list("email", flat=True)) == {"never"}
    # when one approves, the requester is told
    automation.approval_decide(actor=managers[0], company=company, request_id=request.pk, approve=True, comment="")
    assert notifications()[-1] == (sales.pk, "approval", "Approved: 20 % off", link)
