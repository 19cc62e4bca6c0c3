"""Pipelines and opportunities: default stages, moves, won and lost on the timeline, stale edits, forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from spona.core.errors import Conflict, NotFound, StateError, ValidationFailed
from spona.core.models import AuditEntry, Event, TimelineEntry
from spona.front.crm import selectors, services
from spona.front.crm.models import Pipeline, Stage
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import opportunity, stage

pytestmark = pytest.mark.django_db


def test_the_default_pipeline_is_created_once_with_ordered_stages(company):
    # when the default pipeline is asked for twice
    first = services.pipeline_default(company=company)
    second = services.pipeline_default(company=company)
    # then there is one, with the standard stages in order
    assert first == second and Pipeline.objects.filter(company=company).count() == 1
    names = list(Stage.objects.filter(pipeline=first).values_list("name", "probability", "is_won", "is_lost"))
    assert names[0] == ("New", Decimal("10.00"), False, False)
    assert names[-2:] == [("Won", Decimal("100.00"), True, False), ("Lost", Decimal("0.00"), False, True)]


def test_move_audits_publishes_and_reaches_the_timeline(company, sales):
    # given an opportunity in New
    org = party(company, "Nova Trade")
    opp = opportunity(company, sales, org, title="Scanners")
    # when it moves to Proposal
    services.opportunity_move(actor=sales, company=company, opportunity_id=opp.pk, stage_id=stage(company, "Proposal").pk)
    # then the stage changed, one audit row and one event say so, and the party's timeline shows it
    opp.refresh_from_db()
    assert opp.stage.name == "Proposal" and opp.version == 2
    assert AuditEntry.objects.filter(target_id=str(opp.pk), action="stage_changed").count() == 1
    event = Event.objects.get(name="crm.opportunity_stage_changed")
    assert event.party_id == org.pk and event.payload["from_stage"] == "New"
    deliver_events()
    assert TimelineEntry.objects.filter(party=org, title="Opportunity Scanners moved from New to Proposal").exists()


def test_win_and_lose_publish_and_show_on_the_timeline(company, sales):
    org = party(company, "Nova Trade")
    won = opportunity(company, sales, org, title="Big deal", revenue="2500")
    lost = opportunity(company, sales, org, title="Small deal")
    # when one is won and the other lost
    services.opportunity_win(actor=sales, company=company, opportunity_id=won.pk)
    with pytest.raises(ValidationFailed):
        services.opportunity_lose(actor=sales, company=company, opportunity_id=lost.pk, reason=" ")
    services.opportunity_lose(actor=sales, company=company, opportunity_id=lost.pk, reason="Price too high")
    # then both are closed at their stages and the timeline says so
    won.refresh_from_db()
    lost.refresh_from_db()
    assert (won.status, won.stage.name, lost.status, lost.stage.name) == ("won", "Won", "lost", "Lost")
    assert lost.lost_reason == "Price too high"
    deliver_events()
    titles = set(TimelineEntry.objects.filter(party=org).values_list("title", flat=True))
    assert {"Opportunity Big deal won: 2500.00 EUR", "Opportunity Small deal lost: Price too high"} <= titles
    # and a closed opportunity neither moves nor closes again
    with pytest.raises(StateError):
        services.opportunity_move(actor=sales, company=company, opportunity_id=won.pk, stage_id=stage(company, "New").pk)
    with pytest.raises(StateError):
        services.opportunity_win(actor=sales, company=company, opportunity_id=lost.pk)


def test_moving_to_the_won_stage_wins_and_to_lost_needs_a_reason(company, sales):
    org = party(company, "Nova Trade")
    a, b = opportunity(company, sales, org), opportunity(company, sales, org)
    services.opportunity_move(actor=sales, company=company, opportunity_id=a.pk, stage_id=stage(company, "Won").pk)
    with pytest.raises(ValidationFailed):
        services.opportunity_move(actor=sales, company=company, opportunity_id=b.pk, stage_id=stage(company, "Lost").pk)
    a.refresh_from_db()
    assert a.status == "won" and Event.objects.filter(name="crm.opportunity_won").count() == 1


def test_a_stale_edit_answers_conflict(company, sales):
    org = party(company, "Nova Trade")
    opp = opportunity(company, sales, org)
    services.opportunity_move(actor=sales, company=company, opportunity_id=opp.pk, stage_id=stage(company, "Qualified").pk)
    data = services.OpportunityInput(title="Mine", party_id=org.pk)
    with pytest.raises(Conflict):
        services.opportunity_update(actor=sales, company=company, opportunity_id=opp.pk, version=1, data=data)
    services.opportunity_update(actor=sales, company=company, opportunity_id=opp.pk, version=2, data=data)
    opp.refresh_from_db()
    assert (opp.title, opp.version) == ("Mine", 3)


def test_another_companys_records_cannot_be_used(company, other_company, sales):
    foreign = party(other_company, "Foreign")
    with pytest.raises(ValidationFailed) as exc:
        opportunity(company, sales, foreign)
    assert "party_id" in exc.value.field_errors
    other_admin = member(other_company, "admin")
    org = party(company, "Mine")
    opp = opportunity(company, sales, org)
    with pytest.raises(NotFound):
        services.opportunity_move(
            actor=other_admin, company=other_company, opportunity_id=opp.pk, stage_id=stage(company, "Won").pk
        )


def test_forecast_by_month_owner_and_team_has_exact_figures(company, sales):
    # given three open deals and one won deal
    boss = member(company, "management", full_name="Bora Boss")
    team = services.team_create(actor=boss, company=company, name="North", member_ids=[sales.pk, boss.pk])
    org = party(company, "Nova Trade")
    jan, feb = dt.date(2027, 1, 15), dt.date(2027, 2, 3)
    a = opportunity(company, sales, org, revenue="1000.00", close=jan, team_id=team.pk)  # New 10 % -> 100.00
    b = opportunity(company, sales, org, revenue="333.33", close=jan)  # Proposal 50 % -> 166.665
    c = opportunity(company, boss, org, revenue="1234.57", close=feb, owner_id=boss.pk, team_id=team.pk)  # Negotiation 75 %
    d = opportunity(company, sales, org, revenue="9999.00", close=jan)
    services.opportunity_move(actor=sales, company=company, opportunity_id=b.pk, stage_id=stage(company, "Proposal").pk)
    services.opportunity_move(actor=boss, company=company, opportunity_id=c.pk, stage_id=stage(company, "Negotiation").pk)
    services.opportunity_win(actor=sales, company=company, opportunity_id=d.pk)
    assert a.pk
    # when / then by month: Jan 100.00 + 166.665 = 266.665 -> 266.67; Feb 1234.57 × 0.75 = 925.9275 -> 925.93
    months = selectors.forecast(user=sales, company=company, by="month")
    assert [(r.label, r.count, r.amount, r.weighted) for r in months] == [
        ("2027-01", 2, Decimal("1333.33"), Decimal("266.67")),
        ("2027-02", 1, Decimal("1234.57"), Decimal("925.93")),
    ]
    owners = selectors.forecast(user=sales, company=company, by="owner")
    assert [(r.label, r.weighted) for r in owners] == [("Bora Boss", Decimal("925.93")), ("Sava Sales", Decimal("266.67"))]
    teams = selectors.forecast(user=sales, company=company, by="team")
    assert [(r.label, r.amount, r.weighted) for r in teams] == [
        ("North", Decimal("2234.57"), Decimal("1025.93")),
        ("No team", Decimal("333.33"), Decimal("166.67")),
    ]
