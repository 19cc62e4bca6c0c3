"""The support demo step builds a realistic desk: every state, breaches, threads, articles, CSAT."""

from __future__ import annotations

import random

from spona.core.demo import DemoContext
from spona.front.support.demo import TICKETS, build_support
from spona.front.support.models import Article, Satisfaction, Ticket
from tests.factories import member, party


def test_the_demo_desk_has_tickets_in_every_state_with_some_breached(company):
    # given the demo's users and organisations
    users = {
        "support": member(company, "support", email="support@demo.spona.test"),
        "management": member(company, "management"),
    }
    ctx = DemoContext(company=company, users=users, rng=random.Random("support.desk"), organisations=5, persons=0)
    ctx.records = {"organisations": [party(company, f"Org {n}", emails=[f"office{n}@mail.example"]).pk for n in range(5)]}
    # when the step runs
    build_support(ctx)
    # then the desk is populated as the guide describes
    assert Ticket.objects.filter(company=company).count() == TICKETS
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Ticket.Status.values)
    assert Ticket.objects.filter(sla_breaches__gt=0).exists()
    assert Article.objects.filter(visibility="public", is_published=True).count() == 4
    assert Satisfaction.objects.exists()
