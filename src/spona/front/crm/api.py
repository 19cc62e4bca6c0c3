"""The CRM REST endpoints under /api/v1/crm/: leads, opportunities, activities, pipelines.

Thin by rule: each endpoint parses an explicit input schema, calls one CRM service or selector
with ``request.user`` and ``request.company``, and shapes the answer. Input schemas list the
writable fields and refuse any other (SEC2): company, status, score, currency and version
counters come from the services only. Amounts travel as decimal strings. Ids are looked up
within the caller's company, so another company's record answers 404. A stale ``version``
answers 409, a closed lead or opportunity 409, invalid input 422 with field errors.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.money import round_amount
from spona.front.crm import selectors, services
from spona.front.crm.models import Activity, Lead, Opportunity, SalesTarget

router = Router(tags=["crm"])

Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), decimal_places=4, allow_inf_nan=False)]
MoneyText = Annotated[str, Field(description="A decimal amount as a string, e.g. 1079.37.")]
LeadStatus = Literal[tuple(Lead.Status.values)]  # type: ignore[valid-type]
LeadSource = Literal[tuple(Lead.Source.values)]  # type: ignore[valid-type]
OpportunityStatus = Literal[tuple(Opportunity.Status.values)]  # type: ignore[valid-type]
ActivityKind = Literal[tuple(Activity.Kind.values)]  # type: ignore[valid-type]


def _day(value: dt.date | None) -> dt.date | None:
    # Dates far from today are no business dates (and would overflow month arithmetic).
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValidationFailed("Give a date between the years 1900 and 2999.", field_errors={"close_date": ["Out of range."]})
    return value


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class PageParams(Schema):
    cursor: Text | None = Field(None, max_length=500, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


# Leads -------------------------------------------------------------------------------------------


class ScoreReason(Schema):
    points: int
    reason: str


class LeadOut(Schema):
    id: int
    contact_name: str
    company_name: str
    email: str
    phone: str
    country: str
    source: LeadSource
    notes: str
    owner_id: int | None
    team_id: int | None
    status: LeadStatus
    disqualify_reason: str
    score: int
    score_reasons: list[ScoreReason]
    opportunity_id: int | None
    version: int
    created_at: dt.datetime


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class LeadFilters(PageParams):
    q: Text = Field("", max_length=100)
    status: LeadStatus | None = None
    source: LeadSource | None = None
    owner_id: Id | None = None


class LeadIn(Input):
    contact_name: Text = Field("", max_length=200)
    company_name: Text = Field("", max_length=200)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=40)
    country: Text = Field("", max_length=2)
    source: LeadSource = "api"
    notes: Text = Field("", max_length=5000)
    owner_id: Id | None = None


class LeadUpdate(LeadIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")


class LeadStatusIn(Input):
    status: Literal["new", "contacted", "disqualified"]
    reason: Text = Field("", max_length=200)


class QualifyIn(Input):
    title: Text = Field("", max_length=200)
    expected_revenue: Amount = Decimal(0)
    close_date: dt.date | None = None
    organisation_id: Id | None = None
    contact_id: Id | None = None


def _lead_input(payload: LeadIn) -> services.LeadInput:
    return services.LeadInput(**payload.model_dump(exclude={"version"}))


@router.get("/leads", response=LeadPage)
def list_crm_leads(request: HttpRequest, filters: Query[LeadFilters]) -> Any:
    """List leads newest first, by text, status, source and owner (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.lead_list(
        user=user,
        company=company,
        q=filters.q,
        status=filters.status or "",
        source=filters.source or "",
        owner_id=filters.owner_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/leads", response={201: LeadOut})
def create_crm_lead(request: HttpRequest, payload: LeadIn) -> Any:
    """Capture a lead; without an owner the assignment rules choose one, and it is scored at once."""
    user, company = _caller(request)
    return Status(201, services.lead_create(actor=user, company=company, data=_lead_input(payload)))


@router.get("/leads/{lead_id}", response=LeadOut)
def get_crm_lead(request: HttpRequest, lead_id: Id) -> Any:
    """Return one lead with its score reasons."""
    user, company = _caller(request)
    return selectors.lead_get(user=user, company=company, lead_id=lead_id)


@router.put("/leads/{lead_id}", response=LeadOut)
def update_crm_lead(request: HttpRequest, lead_id: Id, payload: LeadUpdate) -> Any:
    """Replace a lead's details; a stale version answers 409, a qualified lead 409."""
    user, company = _caller(request)
    return services.lead_update(actor=user, company=company, lead_id=lead_id, version=payload.version, data=_lead_input(payload))


@router.post("/leads/{lead_id}/status", response=LeadOut)
def set_crm_lead_status(request: HttpRequest, lead_id: Id, payload: LeadStatusIn) -> Any:
    """Mark a lead new, contacted or disqualified (with a reason)."""
    user, company = _caller(request)
    return services.lead_set_status(actor=user, company=company, lead_id=lead_id, status=payload.status, reason=payload.reason)


# Opportunities -----------------------------------------------------------------------------------


class OpportunityOut(Schema):
    id: int
    title: str
    party_id: int
    contact_id: int | None
    owner_id: int | None
    team_id: int | None
    pipeline_id: int
    stage_id: int
    stage: str
    probability: MoneyText
    expected_revenue: MoneyText
    currency: str
    close_date: dt.date | None
    status: OpportunityStatus
    lost_reason: str
    version: int


class OpportunityPage(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class OpportunityFilters(PageParams):
    q: Text = Field("", max_length=100)
    status: OpportunityStatus | None = None
    stage_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    party_id: Id | None = None


class OpportunityIn(Input):
    title: Text = Field(min_length=1, max_length=200)
    party_id: Id
    contact_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    expected_revenue: Amount = Decimal(0)
    close_date: dt.date | None = None


class OpportunityUpdate(OpportunityIn):
    version: int = Field(ge=1, le=2**31 - 1, description="The version you read; a stale one answers 409.")


class MoveIn(Input):
    stage_id: Id
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    reason: Text = Field("", max_length=200, description="Needed when the stage is a lost stage.")


class WinIn(Input):
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class LoseIn(Input):
    reason: Text = Field(min_length=1, max_length=200)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


def _opportunity_out(opp: Opportunity) -> dict[str, Any]:
    return {
        **{
            f: getattr(opp, f)
            for f in ("id", "title", "party_id", "contact_id", "owner_id", "team_id", "pipeline_id", "stage_id", "currency")
        },
        **{f: getattr(opp, f) for f in ("close_date", "status", "lost_reason", "version")},
        "stage": opp.stage.name,
        "probability": str(opp.stage.probability),
        "expected_revenue": str(round_amount(opp.expected_revenue, opp.currency)),
    }


def _opportunity_input(payload: OpportunityIn) -> services.OpportunityInput:
    data = payload.model_dump(exclude={"version"})
    data["close_date"] = _day(data["close_date"])
    return services.OpportunityInput(**data)


def _fresh(request: HttpRequest, opportunity_id: int) -> dict[str, Any]:
    user, company = _caller(request)
    return _opportunity_out(selectors.opportunity_get(user=user, company=company, opportunity_id=opportunity_id))


@router.post("/leads/{lead_id}/qualify", response={201: OpportunityOut})
def qualify_crm_lead(request: HttpRequest, lead_id: Id, payload: QualifyIn) -> Any:
    """Turn a lead into an opportunity with its organisation and contact parties (reused or registered)."""
    user, company = _caller(request)
    opp = services.lead_qualify(
        actor=user,
        company=company,
        lead_id=lead_id,
        title=payload.title,
        expected_revenue=payload.expected_revenue,
        close_date=_day(payload.close_date),
        organisation_id=payload.organisation_id,
        contact_id=payload.contact_id,
    )
    return Status(201, _fresh(request, opp.pk))


@router.get("/opportunities", response=OpportunityPage)
def list_crm_opportunities(request: HttpRequest, filters: Query[OpportunityFilters]) -> Any:
    """List opportunities newest first, by text, status, stage, owner, team and party (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.opportunity_list(
        user=user,
        company=company,
        q=filters.q,
        status=filters.status or "",
        stage_id=filters.stage_id,
        owner_id=filters.owner_id,
        team_id=filters.team_id,
        party_id=filters.party_id,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [_opportunity_out(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post("/opportunities", response={201: OpportunityOut})
def create_crm_opportunity(request: HttpRequest, payload: OpportunityIn) -> Any:
    """Open an opportunity in the default pipeline's first stage, in the company currency."""
    user, company = _caller(request)
    opp = services.opportunity_create(actor=user, company=company, data=_opportunity_input(payload))
    return Status(201, _fresh(request, opp.pk))


@router.get("/opportunities/{opportunity_id}", response=OpportunityOut)
def get_crm_opportunity(request: HttpRequest, opportunity_id: Id) -> Any:
    """Return one opportunity."""
    return _fresh(request, opportunity_id)


@router.put("/opportunities/{opportunity_id}", response=OpportunityOut)
def update_crm_opportunity(request: HttpRequest, opportunity_id: Id, payload: OpportunityUpdate) -> Any:
    """Replace an open opportunity's details (not its stage); a stale version answers 409."""
    user, company = _caller(request)
    services.opportunity_update(
        actor=user, company=company, opportunity_id=opportunity_id, version=payload.version, data=_opportunity_input(payload)
    )
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/move", response=OpportunityOut)
def move_crm_opportunity(request: HttpRequest, opportunity_id: Id, payload: MoveIn) -> Any:
    """Move to another stage of its pipeline; a won stage wins it, a lost stage needs a reason."""
    user, company = _caller(request)
    services.opportunity_move(
        actor=user,
        company=company,
        opportunity_id=opportunity_id,
        stage_id=payload.stage_id,
        version=payload.version,
        reason=payload.reason,
    )
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/win", response=OpportunityOut)
def win_crm_opportunity(request: HttpRequest, opportunity_id: Id, payload: WinIn) -> Any:
    """Mark an open opportunity won; a closed one answers 409."""
    user, company = _caller(request)
    services.opportunity_win(actor=user, company=company, opportunity_id=opportunity_id, version=payload.version)
    return _fresh(request, opportunity_id)


@router.post("/opportunities/{opportunity_id}/lose", response=OpportunityOut)
def lose_crm_opportunity(request: HttpRequest, opportunity_id: Id, payload: LoseIn) -> Any:
    """Mark an open opportunity lost with the reason; a closed one answers 409."""
    user, company = _caller(request)
    services.opportunity_lose(
        actor=user, company=company, opportunity_id=opportunity_id, reason=payload.reason, version=payload.version
    )
    return _fresh(request, opportunity_id)


# Activities and pipelines ------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    kind: ActivityKind
    subject: str
    notes: str
    due_at: dt.datetime
    owner_id: int
    lead_id: int | None
    opportunity_id: int | None
    party_id: int | None
    done: bool
    done_at: dt.datetime | None
    remind_at: dt.datetime | None


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last page.")


class ActivityFilters(PageParams):
    mine: bool = Field(False, description="Only the caller's activities.")
    done: bool | None = None


class ActivityIn(Input):
    kind: ActivityKind = "task"
    subject: Text = Field(min_length=1, max_length=200)
    due_at: dt.datetime
    owner_id: Id | None = None
    notes: Text = Field("", max_length=5000)
    lead_id: Id | None = None
    opportunity_id: Id | None = None
    party_id: Id | None = None
    remind_at: dt.datetime | None = Field(None, description="When the owner gets an e-mail reminder; not after due_at.")


class StageOut(Schema):
    id: int
    name: str
    sequence: int
    probability: MoneyText
    is_won: bool
    is_lost: bool


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]


@router.get("/activities", response=ActivityPage)
def list_crm_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> Any:
    """List activities newest first, optionally only the caller's and done or open ones (cursor pagination)."""
    user, company = _caller(request)
    page = selectors.activity_list(
        user=user,
        company=company,
        owner_id=user.pk if filters.mine else None,
        done=filters.done,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/activities", response={201: ActivityOut})
def create_crm_activity(request: HttpRequest, payload: ActivityIn) -> Any:
    """Plan an activity about a lead, an opportunity or a party (its owner is the caller by default)."""
    user, company = _caller(request)
    for name in ("due_at", "remind_at"):
        value = getattr(payload, name)
        if value is not None and not 1900 <= value.year <= 2999:
            raise ValidationFailed("Give a date between the years 1900 and 2999.", field_errors={name: ["Out of range."]})
    return Status(201, services.activity_create(actor=user, company=company, **payload.model_dump()))


@router.post("/activities/{activity_id}/done", response=ActivityOut)
def done_crm_activity(request: HttpRequest, activity_id: Id) -> Any:
    """Mark an activity done (its owner or a manager); done twice answers 409."""
    user, company = _caller(request)
    return services.activity_done(actor=user, company=company, activity_id=activity_id)


class ReminderIn(Input):
    remind_at: dt.datetime | None = Field(description="When the owner gets an e-mail reminder; null removes it.")


@router.post("/activities/{activity_id}/reminder", response=ActivityOut)
def remind_crm_activity(request: HttpRequest, activity_id: Id, payload: ReminderIn) -> Any:
    """Set or clear an open activity's reminder (its owner or a manager); a time after the due time answers 422."""
    user, company = _caller(request)
    if payload.remind_at is not None and not 1900 <= payload.remind_at.year <= 2999:
        raise ValidationFailed("Give a date between the years 1900 and 2999.", field_errors={"remind_at": ["Out of range."]})
    return services.activity_set_reminder(actor=user, company=company, activity_id=activity_id, remind_at=payload.remind_at)


@router.get("/pipelines", response=list[PipelineOut])
def list_crm_pipelines(request: HttpRequest) -> Any:
    """List the pipelines with their stages in order (the default one is created on first use)."""
    user, company = _caller(request)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "is_default": p.is_default,
            "stages": [
                {
                    "id": s.pk,
                    "name": s.name,
                    "sequence": s.sequence,
                    "probability": str(s.probability),
                    "is_won": s.is_won,
                    "is_lost": s.is_lost,
                }
                for s in p.stages.all()
            ],
        }
        for p in selectors.pipeline_list(user=user, company=company)
    ]


# Targets and the dashboard -------------------------------------------------------------------------

TargetPeriod = Literal[tuple(SalesTarget.Period.values)]  # type: ignore[valid-type]


class TargetOut(Schema):
    id: int
    owner_id: int | None
    team_id: int | None
    period: TargetPeriod
    start: dt.date
    label: str = Field(description="2026-05 for a month, 2026-Q2 for a quarter.")
    amount: MoneyText
    currency: str


class TargetIn(Input):
    owner_id: Id | None = Field(None, description="The salesperson; give this or team_id.")
    team_id: Id | None = Field(None, description="The sales team; give this or owner_id.")
    period: TargetPeriod = "month"
    start: dt.date = Field(description="Any day of the month or quarter.")
    amount: Amount


class DashboardFilters(Schema):
    period: Text = Field("", max_length=7, description="2026-05, 2026-Q2 or 2026; the current quarter by default.")
    owner_id: Id | None = None
    team_id: Id | None = None


class StageFigures(Schema):
    stage: str
    probability: MoneyText
    count: int
    amount: MoneyText
    weighted: MoneyText


class MonthFigures(Schema):
    month: str
    won: int
    lost: int
    revenue: MoneyText
    target: MoneyText


class DashboardOut(Schema):
    period: str
    start: dt.date
    end: dt.date = Field(description="The first day after the period.")
    currency: str
    stages: list[StageFigures]
    months: list[MonthFigures]
    won: int
    lost: int
    revenue: MoneyText
    target: MoneyText
    win_rate: MoneyText | None = Field(description="Percent of the deals closed in the period that were won.")
    average_deal: MoneyText | None
    cycle_days: MoneyText | None = Field(description="Mean days from opening to winning of the deals won.")


def _target_out(target: SalesTarget) -> dict[str, Any]:
    return {
        "id": target.pk,
        "owner_id": target.owner_id,
        "team_id": target.team_id,
        "period": target.period,
        "start": target.start,
        "label": target.label(),
        "amount": str(round_amount(target.amount, target.currency)),
        "currency": target.currency,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


@router.get("/targets", response=list[TargetOut])
def list_crm_targets(request: HttpRequest, year: int | None = Query(None, ge=1900, le=2999)) -> Any:  # type: ignore[type-arg]
    """List the sales targets of people and teams, newest period first, optionally of one year."""
    user, company = _caller(request)
    return [_target_out(t) for t in selectors.target_list(user=user, company=company, year=year)]


@router.post("/targets", response={201: TargetOut})
def set_crm_target(request: HttpRequest, payload: TargetIn) -> Any:
    """Set the target of one person or one team for a month or quarter; setting it again replaces the amount."""
    user, company = _caller(request)
    if not 1900 <= payload.start.year <= 2999:
        raise ValidationFailed("Give a date between the years 1900 and 2999.", field_errors={"start": ["Out of range."]})
    target = services.target_set(actor=user, company=company, **payload.model_dump())
    return Status(201, _target_out(target))


@router.delete("/targets/{target_id}", response={204: None})
def delete_crm_target(request: HttpRequest, target_id: Id) -> Any:
    """Remove a target."""
    user, company = _caller(request)
    services.target_delete(actor=user, company=company, target_id=target_id)
    return Status(204, None)


@router.get("/dashboard", response=DashboardOut)
def get_crm_dashboard(request: HttpRequest, filters: Query[DashboardFilters]) -> Any:
    """Pipeline by stage, win rate, average deal size, sales cycle and revenue against target of a period."""
    user, company = _caller(request)
    period = selectors.period_parse(filters.period, timezone.localdate())
    board = selectors.dashboard(user=user, company=company, period=period, owner_id=filters.owner_id, team_id=filters.team_id)
    return {
        "period": period.key,
        "start": period.start,
        "end": period.end,
        "currency": board.currency,
        "stages": [
            {"stage": s.stage, "probability": f"{s.probability:f}", "count": s.count, "amount": _text(s.amount),
             "weighted": _text(s.weighted)}
            for s in board.stages
        ],
        "months": [
            {"month": m.label, "won": m.won, "lost": m.lost, "revenue": _text(m.revenue), "target": _text(m.target)}
            for m in board.months
        ],
        "won": board.won,
        "lost": board.lost,
        "revenue": _text(board.revenue),
        "target": _text(board.target),
        "win_rate": _text(board.win_rate),
        "average_deal": _text(board.average_deal),
        "cycle_days": _text(board.cycle_days),
    }  # fmt: skip
