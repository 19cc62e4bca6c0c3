"""One CRM record of every kind, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from spona.core.models import Company
from spona.front.crm import services
from spona.front.crm.models import Activity, Lead, Opportunity, SalesTarget
from tests.factories import member, party

SENTINEL = "Sentinel Victim"
API_GROUP = "crm"
PK_OF = {
    "crm:lead_": "lead_id",
    "crm:opportunity_": "opportunity_id",
    "crm:activity_": "activity_id",
    "crm:team_": "team_id",
    "crm:rule_": "rule_id",
    "crm:target_": "target_id",
}


def records(company: Company) -> dict[str, int]:
    """Create a lead, an opportunity, an activity, a team and a rule carrying the sentinel; return their ids."""
    boss = member(company, "management", full_name=f"{SENTINEL} Boss")
    team = services.team_create(actor=boss, company=company, name=f"{SENTINEL} Team", member_ids=[boss.pk])
    rule = services.rule_create(actor=boss, company=company, name=f"{SENTINEL} Rule", method="load", team_id=team.pk)
    lead = services.lead_create(
        actor=boss, company=company, data=services.LeadInput(contact_name=f"{SENTINEL} Lead", email="lead@victim.example")
    )
    org = party(company, f"{SENTINEL} Prospect")
    opp = services.opportunity_create(
        actor=boss, company=company, data=services.OpportunityInput(title=f"{SENTINEL} Deal", party_id=org.pk)
    )
    activity = services.activity_create(
        actor=boss, company=company, kind="call", subject=f"{SENTINEL} Call", due_at=timezone.now(), opportunity_id=opp.pk
    )
    target = services.target_set(
        actor=boss, company=company, period="month", start=dt.date(2027, 1, 1), amount=Decimal(1000), team_id=team.pk
    )
    return {
        "target_id": target.pk,
        "lead_id": lead.pk,
        "opportunity_id": opp.pk,
        "activity_id": activity.pk,
        "team_id": team.pk,
        "rule_id": rule.pk,
        "stage_id": crm_stage_id(company),
    }


def crm_stage_id(company: Company) -> int:
    """The id of the default pipeline's second stage (a move target)."""
    return services.pipeline_default(company=company).stages.all()[1].pk


# A valid body per CRM operation that takes one; ``ids`` are the victim company's records.
SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_crm_lead": lambda ids: {"contact_name": "Planted"},
    "update_crm_lead": lambda ids: {"version": 1, "contact_name": "Renamed"},
    "set_crm_lead_status": lambda ids: {"status": "disqualified", "reason": "Taken over"},
    "qualify_crm_lead": lambda ids: {"title": "Planted"},
    "create_crm_opportunity": lambda ids: {"title": "Planted", "party_id": ids["party_id"]},
    "update_crm_opportunity": lambda ids: {"version": 1, "title": "Renamed", "party_id": ids["party_id"]},
    "move_crm_opportunity": lambda ids: {"stage_id": ids["stage_id"]},
    "win_crm_opportunity": lambda ids: {},
    "lose_crm_opportunity": lambda ids: {"reason": "Taken over"},
    "remind_crm_activity": lambda ids: {"remind_at": "2020-01-01T10:00:00Z"},
    "set_crm_target": lambda ids: {"team_id": ids["team_id"], "period": "month", "start": "2027-01-01", "amount": "1"},
    "create_crm_activity": lambda ids: {"subject": "Planted", "due_at": "2026-05-01T10:00:00Z", "lead_id": ids["lead_id"]},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's CRM records are as records() made them."""
    lead = Lead.objects.get(pk=ids["lead_id"])
    assert (lead.contact_name, lead.status, lead.version) == (f"{SENTINEL} Lead", "new", 1)
    opp = Opportunity.objects.get(pk=ids["opportunity_id"])
    assert (opp.title, opp.status, opp.version) == (f"{SENTINEL} Deal", "open", 1)
    activity = Activity.objects.get(pk=ids["activity_id"])
    assert not activity.done and activity.remind_at is None
    assert SalesTarget.objects.get(pk=ids["target_id"]).amount == Decimal("1000.00")
    assert not Lead.objects.filter(company_id=lead.company_id, contact_name="Planted").exists()
