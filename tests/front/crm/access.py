"""One CRM record of every kind, for the SEC1 matrices of the web UI and the API."""

from __future__ import annotations

from django.utils import timezone

from spona.core.models import Company
from spona.front.crm import services
from tests.factories import member, party

SENTINEL = "Sentinel Victim"


def crm_records(company: Company) -> dict[str, int]:
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
    return {
        "lead_id": lead.pk,
        "opportunity_id": opp.pk,
        "activity_id": activity.pk,
        "team_id": team.pk,
        "rule_id": rule.pk,
    }
