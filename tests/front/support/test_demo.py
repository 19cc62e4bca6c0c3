"""The support demo step builds a realistic desk: every state, breaches, threads, articles, CSAT."""

from __future__ import annotations

import random

from spona.core.demo import DemoContext
from spona.front.support.demo import TICKETS, build_chats, build_support
from spona.front.support.models import Article, ChatSession, Satisfaction, Ticket
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


def test_the_demo_leaves_a_waiting_an_answered_and_a_filed_chat(company):
    # given the demo's agent, its portal contact and a few persons
    customer = party(company, "Kupac d.o.o.", roles=["customer"])
    users = {
        "support": member(company, "support", full_name="Stefan Ilić"),
        "portal": member(company, "portal", party=customer, full_name="Petra Portal"),
    }
    ctx = DemoContext(company=company, users=users, rng=random.Random("support.chats"), organisations=0, persons=2)
    ctx.records = {
        "persons": [party(company, n, kind="person", emails=[f"p{i}@mail.example"]).pk for i, n in enumerate(("Ana A", "Bo B"))]
    }
    # when the chat step runs, twice
    build_chats(ctx)
    build_chats(ctx)
    # then there are three chats: one waiting, one in conversation with the portal contact's organisation, one on a ticket
    waiting, talking, ended = ChatSession.objects.filter(company=company).order_by("pk")
    assert (waiting.status, waiting.visitor_name, waiting.lines.count()) == ("waiting", "Ana A", 1)
    assert (talking.status, talking.agent, talking.party, talking.lines.count()) == ("active", users["support"], customer, 4)
    assert ended.status == "ended" and ended.ticket.channel == "chat" and ended.ticket.subject.startswith("Chat: The scanner")
    assert ended.visitor_email == "p1@mail.example"
    assert "error E42" in ended.ticket.messages.first().body_text
