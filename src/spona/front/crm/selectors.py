"""Queries of the CRM, always scoped to the caller's company and permission.

Other apps import this module (``from spona.front.crm import selectors``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from spona.core import selectors as core_selectors
from spona.core.errors import NotFound
from spona.core.models import Company, Party, User
from spona.core.money import round_amount
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor
from spona.front.crm.models import Activity, AssignmentRule, Lead, Opportunity, Pipeline, Stage, Team
from spona.front.crm.services import pipeline_default


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> Page:
    """Keyset pagination on descending id (newest first); the cursor carries the last id."""
    if cursor:
        _, pk = decode_cursor(cursor)
        qs = qs.filter(pk__lt=pk)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def lead_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = "",
    owner_id: int | None = None,
    source: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List leads newest first, filtered by text (names, e-mail, phone), status, owner and source."""
    require(user, "crm.view_leads", company)
    qs = Lead.objects.filter(company=company).select_related("owner", "team")
    if q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(contact_name__icontains=term)
            | Q(company_name__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
        )
    if status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if source:
        qs = qs.filter(source=source)
    return _page(qs, cursor, limit)


def lead_get(*, user: User, company: Company, lead_id: int) -> Lead:
    """Return one lead of the company with its owner, team and opportunity."""
    require(user, "crm.view_leads", company)
    lead = Lead.objects.filter(pk=lead_id, company=company).select_related("owner", "team", "opportunity").first()
    if lead is None:
        raise NotFound("No such lead.")
    return lead


def lead_duplicates(*, user: User, company: Company, lead: Lead) -> list[Party]:
    """Parties that look like this lead's organisation or contact (same e-mail, tax-free name match)."""
    found: dict[int, Party] = {}
    emails = [lead.email] if lead.email else []
    for name in (lead.company_name, lead.contact_name):
        if name or emails:
            for party in core_selectors.party_duplicates(user=user, company=company, name=name, emails=emails):
                found.setdefault(party.pk, party)
    return list(found.values())


def pipeline_list(*, user: User, company: Company) -> list[Pipeline]:
    """The company's pipelines with their stages in order (the default pipeline is created on first use)."""
    require(user, "crm.view", company)
    pipeline_default(company=company)
    return list(Pipeline.objects.filter(company=company).prefetch_related("stages"))


def stage_list(*, user: User, company: Company, pipeline: Pipeline) -> list[Stage]:
    require(user, "crm.view", company)
    return list(Stage.objects.filter(company=company, pipeline=pipeline))


def opportunity_queryset(*, user: User, company: Company) -> QuerySet[Opportunity]:
    require(user, "crm.view", company)
    return Opportunity.objects.filter(company=company).select_related("party", "contact", "owner", "team", "stage")


def opportunity_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = "",
    stage_id: int | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    party_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List opportunities newest first, filtered by text, status, stage, owner, team and party."""
    qs = opportunity_queryset(user=user, company=company)
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(party__name__icontains=q.strip()))
    for name, value in (
        ("status", status),
        ("stage_id", stage_id),
        ("owner_id", owner_id),
        ("team_id", team_id),
        ("party_id", party_id),
    ):
        if value:
            qs = qs.filter(**{name: value})
    return _page(qs, cursor, limit)


def opportunity_get(*, user: User, company: Company, opportunity_id: int) -> Opportunity:
    """Return one opportunity of the company."""
    opp = opportunity_queryset(user=user, company=company).select_related("pipeline").filter(pk=opportunity_id).first()
    if opp is None:
        raise NotFound("No such opportunity.")
    return opp


@dataclass(frozen=True)
class Column:
    """One stage of the board with its opportunities and their total."""

    stage: Stage
    cards: list[Opportunity]
    total: Decimal


CLOSED_ON_BOARD_DAYS = 30


def board(*, user: User, company: Company, owner_id: int | None = None) -> list[Column]:
    """The kanban of the default pipeline: open deals per stage, and deals closed in the last 30 days."""
    require(user, "crm.view", company)
    pipeline = pipeline_default(company=company)
    stages = list(Stage.objects.filter(pipeline=pipeline))
    since = timezone.now() - dt.timedelta(days=CLOSED_ON_BOARD_DAYS)
    qs = (
        Opportunity.objects.filter(company=company, pipeline=pipeline)
        .filter(Q(status=Opportunity.Status.OPEN) | Q(closed_at__gte=since))
        .select_related("party", "owner")
        .order_by("close_date", "pk")
    )
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    by_stage: dict[int, list[Opportunity]] = defaultdict(list)
    for opp in qs:
        by_stage[opp.stage_id].append(opp)
    return [
        Column(stage=s, cards=by_stage[s.pk], total=sum((o.expected_revenue for o in by_stage[s.pk]), Decimal(0))) for s in stages
    ]


@dataclass(frozen=True)
class ForecastRow:
    """One group of the forecast: open deals, their total and their probability-weighted total."""

    key: str
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


def forecast(*, user: User, company: Company, by: str = "month") -> list[ForecastRow]:
    """Forecast open opportunities by ``month`` (of the expected close), ``owner`` or ``team``.

    The weighted total is Σ expected revenue × stage probability / 100, rounded half-up to the
    company currency once per group (not per deal), so groups add up exactly.
    """
    require(user, "crm.view", company)
    if by not in ("month", "owner", "team"):
        by = "month"
    rows = Opportunity.objects.filter(company=company, status=Opportunity.Status.OPEN).values_list(
        "close_date", "owner_id", "owner__full_name", "team_id", "team__name", "expected_revenue", "stage__probability"
    )
    groups: dict[str, list[Any]] = {}
    for close_date, owner_id, owner_name, team_id, team_name, amount, probability in rows:
        if by == "month":
            key, label = (close_date.strftime("%Y-%m"), close_date.strftime("%Y-%m")) if close_date else ("", "No date")
        elif by == "owner":
            key, label = str(owner_id or ""), owner_name or "Nobody"
        else:
            key, label = str(team_id or ""), team_name or "No team"
        group = groups.setdefault(key, [label, 0, Decimal(0), Decimal(0)])
        group[1] += 1
        group[2] += amount
        group[3] += amount * probability / 100
    currency = company.base_currency
    return [
        ForecastRow(key=k, label=g[0], count=g[1], amount=round_amount(g[2], currency), weighted=round_amount(g[3], currency))
        for k, g in sorted(groups.items(), key=lambda item: (item[0] == "", item[1][0] if by != "month" else item[0]))
    ]


def activity_list(
    *,
    user: User,
    company: Company,
    owner_id: int | None = None,
    done: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List activities newest first, optionally one owner's, done or open."""
    require(user, "crm.view", company)
    qs = Activity.objects.filter(company=company).select_related("owner", "party", "lead", "opportunity")
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if done is not None:
        qs = qs.filter(done=done)
    return _page(qs, cursor, limit)


@dataclass(frozen=True)
class Day:
    """A user's day: what is overdue and what is due today."""

    overdue: list[Activity]
    today: list[Activity]


def my_day(*, user: User, company: Company, now: dt.datetime | None = None) -> Day:
    """The user's open activities that are overdue or due today (in the company's time zone)."""
    require(user, "crm.view", company)
    now = now or timezone.now()
    local = timezone.localtime(now, timezone=ZoneInfo(company.time_zone or "UTC"))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    qs = Activity.objects.filter(company=company, owner=user, done=False, due_at__lt=end).select_related(
        "party", "lead", "opportunity"
    )
    rows = list(qs.order_by("due_at", "pk"))
    return Day(overdue=[a for a in rows if a.due_at < start], today=[a for a in rows if a.due_at >= start])


def my_open_activities(*, user: User, company: Company) -> list[Activity]:
    """The user's open activities, for the calendar export."""
    require(user, "crm.view", company)
    return list(Activity.objects.filter(company=company, owner=user, done=False).select_related("party").order_by("due_at", "pk"))


def team_list(*, user: User, company: Company) -> list[Team]:
    """The company's sales teams with members, leader and rules."""
    require(user, "crm.view", company)
    return list(Team.objects.filter(company=company).select_related("leader").prefetch_related("members", "rules"))


def rule_list(*, user: User, company: Company) -> list[AssignmentRule]:
    require(user, "crm.view", company)
    return list(AssignmentRule.objects.filter(company=company).select_related("team"))


@dataclass(frozen=True)
class PartySummary:
    """What the CRM knows about a party for its 360° page."""

    open_opportunities: list[Opportunity]
    recent_activities: list[Activity]
    open_total: Decimal


def party_summary(*, user: User, company: Company, party_id: int, limit: int = 5) -> PartySummary:
    """Open opportunities (party or contact) and the most recent activities of a party."""
    require(user, "crm.view", company)
    opps = list(
        Opportunity.objects.filter(company=company, status=Opportunity.Status.OPEN)
        .filter(Q(party_id=party_id) | Q(contact_id=party_id))
        .select_related("stage")
        .order_by("close_date", "pk")[:20]
    )
    activities = list(
        Activity.objects.filter(company=company, party_id=party_id).select_related("owner").order_by("-due_at", "-pk")[:limit]
    )
    return PartySummary(
        open_opportunities=opps, recent_activities=activities, open_total=sum((o.expected_revenue for o in opps), Decimal(0))
    )


def member_choices(*, user: User, company: Company) -> list[User]:
    """Active users with a staff role in the company, for owner and team pickers."""
    require(user, "crm.view_leads", company)
    return list(
        User.objects.filter(is_active=True, memberships__company=company)
        .exclude(memberships__role="portal")
        .distinct()
        .order_by("full_name")
    )


def lead_counts(*, user: User, company: Company) -> dict[str, int]:
    """Number of leads per status."""
    require(user, "crm.view_leads", company)
    return dict(Lead.objects.filter(company=company).values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def company_for_form(*, code: str) -> Company:
    """The active company a public lead form posts to; NotFound for an unknown or inactive code."""
    company = Company.objects.filter(code=code, is_active=True).first()
    if company is None:
        raise NotFound("No such form.")
    return company
