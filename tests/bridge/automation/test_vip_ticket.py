"""The shipped VIP rule on a real support ticket: a VIP customer's new ticket gets high priority."""

from __future__ import annotations

import pytest

from spona.bridge.automation import services
from spona.front.support import services as support
from spona.front.support.models import Ticket
from tests.factories import deliver_events, member, party

pytestmark = pytest.mark.django_db


def test_a_vip_customers_ticket_gets_high_priority(company, admin):
    # given the shipped VIP example, tested and switched on, and a VIP and an ordinary customer
    rule = next(r for r in services.examples_install(actor=admin, company=company) if r.example_key == "vip_ticket_priority")
    services.rule_test(actor=admin, company=company, rule_id=rule.pk)
    services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    agent = member(company, "support")
    vip = party(company, "Big Bank AG", tags=["VIP"])
    plain = party(company, "Corner Shop")
    # when both open a ticket
    for customer in (vip, plain):
        support.ticket_create(
            actor=agent, company=company, data=support.TicketInput(subject="Cannot log in", party_id=customer.pk)
        )
    deliver_events()
    # then only the VIP's ticket is high priority
    assert dict(Ticket.objects.values_list("party_id", "priority")) == {vip.pk: "high", plain.pk: "normal"}
