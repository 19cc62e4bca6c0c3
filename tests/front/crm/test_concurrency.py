"""Concurrency on PostgreSQL, each client on its own connection: round-robin turns (no double turn) and C4 (win once)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from spona.core.errors import StateError
from spona.core.models import Event
from spona.front.crm import services
from spona.front.crm.models import Lead
from tests.factories import member, party
from tests.front.crm.factories import lead, opportunity

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, work):
    """Run ``work(i)`` in ``count`` threads released at once; each thread closes its connection."""
    start = threading.Barrier(count)

    def call(i: int):
        try:
            start.wait(timeout=60)
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_twelve_leads_at_once_go_round_robin_four_each(on_postgres, company):
    # given a team of three with a round-robin rule
    boss = member(company, "management")
    sellers = [member(company, "sales") for _ in range(3)]
    team = services.team_create(actor=boss, company=company, name="Inside", member_ids=[s.pk for s in sellers])
    services.rule_create(actor=boss, company=company, name="Turns", method="round_robin", team_id=team.pk)
    # when 12 web-form leads arrive at the same moment
    run_together(12, lambda i: lead(company, None, contact_name=f"Visitor {i}").pk)
    # then the rule row's lock gave each member exactly 4: nobody got a turn twice
    owners = Counter(Lead.objects.filter(company=company).values_list("owner_id", flat=True))
    print(f"\nRound-robin (PostgreSQL, 12 concurrent leads, 3 members): {sorted(owners.values())}")
    assert sorted(owners.values()) == [4, 4, 4]


def test_c4_ten_concurrent_wins_win_once(on_postgres, company, sales):
    opp = opportunity(company, sales, party(company, "Nova Trade"))

    def win(i: int) -> str:
        try:
            services.opportunity_win(actor=sales, company=company, opportunity_id=opp.pk)
            return "won"
        except StateError:
            return "state"

    # when ten clicks on "Won" arrive at once
    tally = Counter(run_together(10, win))
    # then one transition and one event, nine clear refusals
    print(f"\nC4 (PostgreSQL, 10 concurrent wins): {dict(tally)}")
    assert tally == Counter({"won": 1, "state": 9})
    assert Event.objects.filter(name="crm.opportunity_won").count() == 1
