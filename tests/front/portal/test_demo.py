"""The portal's demo step: the demo contact's customer has a conversation started in the portal."""

from __future__ import annotations

import random

import pytest

from spona.core.demo import DemoContext
from spona.front.portal.demo import SUBJECT, build_portal
from spona.front.support.models import Ticket
from spona.front.support.selectors import party_tickets, portal_ticket_get
from tests.factories import member, party

pytestmark = pytest.mark.django_db


def test_the_demo_contact_sees_an_answered_portal_ticket_once(company):
    # given the demo's support agent and the portal contact of a customer
    customer = party(company, "Bora Trade d.o.o.", roles=["customer"])
    users = {"support": member(company, "support"), "portal": member(company, "portal", party=customer)}
    ctx = DemoContext(company=company, users=users, rng=random.Random("portal.conversation"), organisations=1, persons=0)
    # when the step runs twice (the demo is idempotent)
    build_portal(ctx)
    build_portal(ctx)
    # then there is one portal ticket, answered and waiting for the customer, whose public thread hides the note
    [ticket] = [t for t in party_tickets(company=company, party_id=customer.pk) if t.subject == SUBJECT]
    assert (ticket.channel, ticket.status) == ("portal", "pending_customer")
    _, thread = portal_ticket_get(company=company, party_id=customer.pk, ticket_id=ticket.pk)
    assert [m.kind for m in thread] == ["customer", "reply"]
    assert ticket.messages.filter(kind="note").count() == 1


def test_without_a_portal_contact_the_step_does_nothing(company):
    ctx = DemoContext(
        company=company, users={"support": member(company, "support")}, rng=random.Random(1), organisations=0, persons=0
    )
    build_portal(ctx)
    assert not Ticket.objects.filter(company=company).exists()
    assert not Ticket.objects.filter(company=company).exists()
