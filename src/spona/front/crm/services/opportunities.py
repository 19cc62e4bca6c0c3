"""Pipelines and opportunities: open, edit, move between stages, win or lose."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from spona.core import audit, events
from spona.core.errors import Conflict, NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import round_amount
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.crm.models import Opportunity, Pipeline, Stage, Team

# The stages of the pipeline a company gets on first use: name, probability %, won, lost.
DEFAULT_STAGES = (
    ("New", Decimal(10), False, False),
    ("Qualified", Decimal(25), False, False),
    ("Proposal", Decimal(50), False, False),
    ("Negotiation", Decimal(75), False, False),
    ("Won", Decimal(100), True, False),
    ("Lost", Decimal(0), False, True),
)
AUDITED = ["title", "party", "contact", "owner", "team", "stage", "expected_revenue", "close_date", "status", "lost_reason"]


@dataclass
class OpportunityInput:
    """What a caller may set on an opportunity (SEC2: company, status, currency and version are never input)."""

    title: str
    party_id: int
    contact_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    stage_id: int | None = None
    expected_revenue: Decimal = Decimal(0)
    close_date: dt.date | None = None


@transaction.atomic
def pipeline_default(*, company: Company) -> Pipeline:
    """Return the company's default pipeline, creating it with the standard stages on first use."""
    pipeline = Pipeline.objects.filter(company=company, is_default=True).first()
    if pipeline is not None:
        return pipeline
    pipeline = Pipeline.objects.create(company=company, name="Sales", is_default=True)
    Stage.objects.bulk_create(
        [
            Stage(company=company, pipeline=pipeline, name=name, sequence=(i + 1) * 10, probability=p, is_won=won, is_lost=lost)
            for i, (name, p, won, lost) in enumerate(DEFAULT_STAGES)
        ]
    )
    return pipeline


def _payload(opp: Opportunity) -> dict[str, object]:
    return {
        "opportunity_id": opp.pk,
        "title": opp.title,
        "stage": opp.stage.name,
        "expected_revenue": str(round_amount(opp.expected_revenue, opp.currency)),
        "currency": opp.currency,
    }


def _resolve(company: Company, data: OpportunityInput, pipeline: Pipeline) -> dict[str, object]:
    """Check that every record the input names belongs to this company (SEC4)."""
    errors: dict[str, list[str]] = {}
    party = Party.objects.filter(pk=data.party_id, company=company, merged_into__isnull=True).first()
    if party is None:
        errors["party_id"] = ["Choose a party of this company."]
    contact = None
    if data.contact_id:
        contact = Party.objects.filter(pk=data.contact_id, company=company, merged_into__isnull=True).first()
        if contact is None:
            errors["contact_id"] = ["Choose a party of this company."]
    owner = None
    if data.owner_id:
        owner = User.objects.filter(pk=data.owner_id, memberships__company=company, is_active=True).first()
        if owner is None:
            errors["owner_id"] = ["Choose a member of this company."]
    team = None
    if data.team_id:
        team = Team.objects.filter(pk=data.team_id, company=company).first()
        if team is None:
            errors["team_id"] = ["Choose a team of this company."]
    stages = Stage.objects.filter(pipeline=pipeline)
    stage = stages.filter(pk=data.stage_id).first() if data.stage_id else stages.filter(is_won=False, is_lost=False).first()
    if stage is None:
        errors["stage_id"] = ["Choose a stage of the pipeline."]
    elif stage.is_won or stage.is_lost:
        errors["stage_id"] = ["A new or edited opportunity stays open: win or lose it instead."]
    if data.expected_revenue is None or data.expected_revenue < 0:
        errors["expected_revenue"] = ["Give an amount of zero or more."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    return {"party": party, "contact": contact, "owner": owner, "team": team, "stage": stage}


@transaction.atomic
def opportunity_create(*, actor: User | None, company: Company, data: OpportunityInput) -> Opportunity:
    """Open an opportunity in the default pipeline, in the company's currency.

    Raises ValidationFailed when a named party, contact, owner, team or stage is not of this company.
    """
    if actor is not None:
        require(actor, "crm.manage", company)
    pipeline = pipeline_default(company=company)
    refs = _resolve(company, data, pipeline)
    opp = Opportunity(
        company=company,
        pipeline=pipeline,
        title=data.title.strip(),
        expected_revenue=round_amount(Decimal(data.expected_revenue), company.base_currency),
        currency=company.base_currency,
        close_date=data.close_date,
        **refs,
    )
    if opp.owner is None and actor is not None:
        opp.owner = actor
    full_clean_or_raise(opp, exclude=["company"])
    opp.save()
    audit.record(actor=actor, target=opp, action="created")
    events.publish("crm.opportunity_created", company=company, party=opp.party, actor=actor, **_payload(opp))
    return opp


def _locked(company: Company, opportunity_id: int, version: int | None) -> Opportunity:
    opp = Opportunity.objects.select_for_update().filter(pk=opportunity_id, company=company).first()
    if opp is None:
        raise NotFound("No such opportunity.")
    if version is not None and version != opp.version:
        raise Conflict("Someone changed this opportunity since you opened it; reload and try again.", code="stale_version")
    return opp


@transaction.atomic
def opportunity_update(
    *, actor: User, company: Company, opportunity_id: int, version: int, data: OpportunityInput
) -> Opportunity:
    """Change an open opportunity's details; a stale ``version`` raises Conflict (QUALITY C2).

    Stage changes go through opportunity_move, so they are audited and published as such.
    """
    require(actor, "crm.manage", company)
    opp = _locked(company, opportunity_id, version)
    if not opp.is_open():
        raise StateError("A won or lost opportunity cannot be edited.")
    data.stage_id = opp.stage_id
    refs = _resolve(company, data, opp.pipeline)
    before = audit.snapshot(opp, AUDITED)
    opp.title = data.title.strip()
    opp.expected_revenue = round_amount(Decimal(data.expected_revenue), opp.currency)
    opp.close_date = data.close_date
    for name in ("party", "contact", "owner", "team"):
        setattr(opp, name, refs[name])
    full_clean_or_raise(opp, exclude=["company"])
    opp.version += 1
    opp.save()
    audit.record(actor=actor, target=opp, action="updated", changes=audit.diff(before, audit.snapshot(opp, AUDITED)))
    return opp


def _close(actor: User | None, opp: Opportunity, stage: Stage, reason: str) -> None:
    before = audit.snapshot(opp, AUDITED)
    opp.stage = stage
    opp.status = Opportunity.Status.WON if stage.is_won else Opportunity.Status.LOST
    opp.lost_reason = reason if stage.is_lost else ""
    opp.closed_at = timezone.now()
    opp.version += 1
    opp.save()
    audit.record(actor=actor, target=opp, action=opp.status, changes=audit.diff(before, audit.snapshot(opp, AUDITED)))
    if stage.is_won:
        events.publish("crm.opportunity_won", company=opp.company, party=opp.party, actor=actor, **_payload(opp))
    else:
        events.publish("crm.opportunity_lost", company=opp.company, party=opp.party, actor=actor, reason=reason, **_payload(opp))


@transaction.atomic
def opportunity_move(
    *, actor: User, company: Company, opportunity_id: int, stage_id: int, version: int | None = None, reason: str = ""
) -> Opportunity:
    """Move an open opportunity to another stage of its pipeline.

    A won stage wins it; a lost stage loses it and needs a ``reason``. Raises StateError for a
    closed opportunity, NotFound for a stage of another pipeline, Conflict for a stale version.
    """
    require(actor, "crm.manage", company)
    opp = _locked(company, opportunity_id, version)
    stage = Stage.objects.filter(pk=stage_id, pipeline_id=opp.pipeline_id).first()
    if stage is None:
        raise NotFound("No such stage in this pipeline.")
    if not opp.is_open():
        raise StateError(f"{opp.title} is already {opp.get_status_display().lower()}; it cannot move.")
    if stage.pk == opp.stage_id:
        return opp
    if stage.is_lost and not reason.strip():
        raise ValidationFailed("Say why the opportunity was lost.", field_errors={"reason": ["Give a reason."]})
    if stage.is_won or stage.is_lost:
        _close(actor, opp, stage, reason.strip()[:200])
        return opp
    from_stage = opp.stage.name
    opp.stage = stage
    opp.version += 1
    opp.save(update_fields=["stage", "version", "updated_at"])
    audit.record(actor=actor, target=opp, action="stage_changed", changes={"stage": [from_stage, stage.name]})
    events.publish(
        "crm.opportunity_stage_changed", company=company, party=opp.party, actor=actor, from_stage=from_stage, **_payload(opp)
    )
    return opp


def _closing_stage(opp: Opportunity, won: bool) -> Stage:
    stage = Stage.objects.filter(pipeline_id=opp.pipeline_id, **({"is_won": True} if won else {"is_lost": True})).first()
    if stage is None:
        raise StateError(f"The pipeline {opp.pipeline.name} has no {'won' if won else 'lost'} stage.")
    return stage


@transaction.atomic
def opportunity_win(*, actor: User, company: Company, opportunity_id: int, version: int | None = None) -> Opportunity:
    """Mark an open opportunity won (it moves to the pipeline's won stage).

    Raises StateError when it is already closed, Conflict for a stale version.
    """
    require(actor, "crm.manage", company)
    opp = _locked(company, opportunity_id, version)
    if not opp.is_open():
        raise StateError(f"{opp.title} is already {opp.get_status_display().lower()}.")
    _close(actor, opp, _closing_stage(opp, won=True), "")
    return opp


@transaction.atomic
def opportunity_lose(
    *, actor: User, company: Company, opportunity_id: int, reason: str, version: int | None = None
) -> Opportunity:
    """Mark an open opportunity lost, with the reason (it moves to the pipeline's lost stage).

    Raises ValidationFailed without a reason, StateError when it is already closed.
    """
    require(actor, "crm.manage", company)
    if not reason.strip():
        raise ValidationFailed("Say why the opportunity was lost.", field_errors={"reason": ["Give a reason."]})
    opp = _locked(company, opportunity_id, version)
    if not opp.is_open():
        raise StateError(f"{opp.title} is already {opp.get_status_display().lower()}.")
    _close(actor, opp, _closing_stage(opp, won=False), reason.strip()[:200])
    return opp
