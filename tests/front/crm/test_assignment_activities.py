"""Assignment rules for new leads, and activities on the timeline and in "My day"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from spona.core.models import TimelineEntry
from spona.front.crm import selectors, services
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import lead, opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(company):
    return member(company, "management", full_name="Bora Boss")


def test_round_robin_hands_leads_to_members_in_turn(company, boss):
    # given a team of three with a round-robin rule
    a, b, c = (member(company, "sales") for _ in range(3))
    team = services.team_create(actor=boss, company=company, name="Inside", member_ids=[a.pk, b.pk, c.pk], leader_id=a.pk)
    services.rule_create(actor=boss, company=company, name="Turns", method="round_robin", team_id=team.pk)
    # when four leads arrive from the web form
    owners = [lead(company, None, contact_name=f"L{i}").owner_id for i in range(4)]
    # then each member gets one in turn, and the fourth starts over
    assert owners == [a.pk, b.pk, c.pk, a.pk]


def test_territory_matches_the_lead_country_then_takes_the_least_loaded(company, boss):
    # given a team for RS/HR with a busy and an idle member, and a catch-all team behind it
    busy, idle, other = member(company, "sales"), member(company, "sales"), member(company, "sales")
    balkans = services.team_create(actor=boss, company=company, name="Balkans", member_ids=[busy.pk, idle.pk], countries="rs, HR")
    rest = services.team_create(actor=boss, company=company, name="Rest", member_ids=[other.pk])
    services.rule_create(actor=boss, company=company, name="Balkans", method="territory", team_id=balkans.pk, sequence=10)
    services.rule_create(actor=boss, company=company, name="Rest", method="load", team_id=rest.pk, sequence=20)
    lead(company, boss, contact_name="Old", owner_id=busy.pk)
    # when a lead from Croatia and one from Germany arrive
    hr = lead(company, None, contact_name="Ivo", country="hr")
    de = lead(company, None, contact_name="Hans", country="DE")
    # then the Croatian goes to the idle Balkans member, the German to the other team
    assert (hr.owner_id, hr.team_id) == (idle.pk, balkans.pk)
    assert (de.owner_id, de.team_id) == (other.pk, rest.pk)


def test_load_takes_the_member_with_fewest_open_leads(company, boss):
    a, b = member(company, "sales"), member(company, "sales")
    team = services.team_create(actor=boss, company=company, name="T", member_ids=[a.pk, b.pk])
    services.rule_create(actor=boss, company=company, name="Load", method="load", team_id=team.pk)
    lead(company, boss, contact_name="x", owner_id=a.pk)
    first = lead(company, boss, contact_name="y", owner_id=a.pk)
    services.lead_set_status(actor=boss, company=company, lead_id=first.pk, status="disqualified", reason="Spam")
    # a has one open lead, b none: b first, then a tie goes to the lower id
    assert lead(company, None, contact_name="n1").owner_id == b.pk
    assert lead(company, None, contact_name="n2").owner_id == a.pk


def test_teams_refuse_outsiders_and_bad_territories(company, other_company, boss):
    outsider = member(other_company, "sales")
    with pytest.raises(ValidationFailed):
        services.team_create(actor=boss, company=company, name="X", member_ids=[outsider.pk])
    with pytest.raises(ValidationFailed):
        services.team_create(actor=boss, company=company, name="X", member_ids=[boss.pk], countries="Serbia")
    with pytest.raises(PermissionDenied):
        services.team_create(actor=member(company, "sales"), company=company, name="X", member_ids=[])


def test_activities_reach_the_timeline_and_my_day(company, sales):
    # given an opportunity of a party and three activities of the sales user
    org = party(company, "Nova Trade")
    opp = opportunity(company, sales, org)
    now = timezone.now()
    overdue = services.activity_create(
        actor=sales, company=company, kind="call", subject="Call back", due_at=now - dt.timedelta(days=2), opportunity_id=opp.pk
    )
    services.activity_create(actor=sales, company=company, kind="task", subject="Later", due_at=now + dt.timedelta(days=3))
    # when one is done
    services.activity_done(actor=sales, company=company, activity_id=overdue.pk)
    with pytest.raises(StateError):
        services.activity_done(actor=sales, company=company, activity_id=overdue.pk)
    # then the party's timeline shows it planned and done
    deliver_events()
    titles = set(TimelineEntry.objects.filter(party=org).values_list("title", flat=True))
    assert {"Call planned: Call back", "Call done: Call back"} <= titles


def test_my_day_lists_overdue_and_today_in_the_company_zone(company, sales):
    company.time_zone = "Europe/Belgrade"
    company.save()
    noon = dt.datetime(2027, 3, 10, 11, 0, tzinfo=dt.UTC)  # 12:00 in Belgrade
    for subject, due in (
        ("yesterday", dt.datetime(2027, 3, 9, 22, 30, tzinfo=dt.UTC)),  # 23:30 local, overdue
        ("early today", dt.datetime(2027, 3, 9, 23, 30, tzinfo=dt.UTC)),  # 00:30 local, today
        ("tonight", dt.datetime(2027, 3, 10, 22, 0, tzinfo=dt.UTC)),  # 23:00 local, today
        ("tomorrow", dt.datetime(2027, 3, 10, 23, 30, tzinfo=dt.UTC)),
    ):
        services.activity_create(actor=sales, company=company, kind="task", subject=subject, due_at=due)
    day = selectors.my_day(user=sales, company=company, now=noon)
    assert [a.subject for a in day.overdue] == ["yesterday"]
    assert [a.subject for a in day.today] == ["early today", "tonight"]


def test_only_the_owner_or_a_manager_closes_an_activity(company, sales, boss):
    other = member(company, "sales")
    act = services.activity_create(actor=sales, company=company, kind="task", subject="Mine", due_at=timezone.now())
    with pytest.raises(PermissionDenied):
        services.activity_done(actor=other, company=company, activity_id=act.pk)
    services.activity_done(actor=boss, company=company, activity_id=act.pk)
