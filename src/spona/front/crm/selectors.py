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

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.utils import timezone

from spona.core import selectors as core_selectors
from spona.core.aggregates import ExactSum
from spona.core.errors import NotFound
from spona.core.models import Company, Party, User
from spona.core.money import round_amount
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor
from spona.front.crm.models import Activity, AssignmentRule, Lead, Opportunity, Pipeline, SalesTarget, Stage, Team
from spona.front.crm.services import pipeline_default
from spona.front.crm.services.targets import period_start


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


def lead_with_email(*, user: User, company: Company, email: str) -> Lead | None:
    """Return the newest lead of the company with this (normalised) e-mail, or None; importers use it to find duplicates."""
    require(user, "crm.view_leads", company)
    if not email:
        return None
    return Lead.objects.filter(company=company, email=email.strip().lower()).order_by("-pk").first()


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


# Targets and dashboards ----------------------------------------------------------------------


def target_list(*, user: User, company: Company, year: int | None = None) -> list[SalesTarget]:
    """The company's sales targets, newest period first, optionally of one year."""
    require(user, "crm.view", company)
    qs = SalesTarget.objects.filter(company=company).select_related("owner", "team")
    if year:
        qs = qs.filter(start__year=year)
    return list(qs.order_by("-start", "period", "team__name", "owner__full_name", "pk"))


@dataclass(frozen=True)
class Period:
    """A dashboard period: a month (``2026-05``), a quarter (``2026-Q2``) or a year (``2026``); ``end`` is exclusive."""

    key: str
    start: dt.date
    end: dt.date

    def months(self) -> list[dt.date]:
        found, day = [], self.start
        while day < self.end:
            found.append(day)
            day = _next_month(day)
        return found


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_parse(value: str, today: dt.date) -> Period:
    """Read ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; anything else (or nothing) means the quarter of ``today``."""
    value = (value or "").strip().upper()
    try:
        if len(value) == 4:
            year = int(value)
            if 1900 <= year <= 2999:
                return Period(value, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
        elif len(value) == 7 and value[4:6] == "-Q" and value[6] in "1234":
            start = dt.date(int(value[:4]), (int(value[6]) - 1) * 3 + 1, 1)
            return Period(value, start, _next_month(_next_month(_next_month(start))))
        elif len(value) == 7 and value[4] == "-":
            start = dt.date(int(value[:4]), int(value[5:]), 1)
            return Period(value, start, _next_month(start))
    except ValueError:
        pass
    start = period_start(SalesTarget.Period.QUARTER, today)
    return Period(f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, _next_month(_next_month(_next_month(start))))


@dataclass(frozen=True)
class StageRow:
    """Open deals in one stage: how many, their total and their probability-weighted total."""

    stage: str
    probability: Decimal
    count: int
    amount: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class MonthRow:
    """One month of the period: deals won and lost (closed in it), revenue won and the target."""

    month: dt.date
    won: int
    lost: int
    revenue: Decimal
    target: Decimal

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def attainment(self) -> Decimal | None:
        return _percent(self.revenue, self.target)

    @property
    def win_rate(self) -> Decimal | None:
        return _percent(self.won, self.won + self.lost)


@dataclass(frozen=True)
class Dashboard:
    """The sales figures of a period for the whole company, one owner or one team.

    ``win_rate`` is won / (won + lost) of the deals closed in the period; ``average_deal`` the
    mean amount of those won; ``cycle_days`` their mean days from opening to winning. Each is
    None when there is nothing to divide by. Revenue is the won deals' expected revenue.
    """

    period: Period
    currency: str
    stages: list[StageRow]
    months: list[MonthRow]
    won: int
    lost: int
    revenue: Decimal
    target: Decimal
    win_rate: Decimal | None
    average_deal: Decimal | None
    cycle_days: Decimal | None

    @property
    def attainment(self) -> Decimal | None:
        return _percent(self.revenue, self.target)


def _percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _monthly_targets(company: Company, period: Period, owner_id: int | None, team_id: int | None) -> dict[dt.date, Decimal]:
    """Target per month of the period, unrounded: a quarter's target counts a third in each of its months.

    For one owner their own targets count, for one team the team's; for the whole company the
    team targets when there are any in the period, else the sum of the personal ones.
    """
    qs = SalesTarget.objects.filter(company=company, start__lt=period.end, start__gte=period.start - dt.timedelta(days=62))
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    elif team_id:
        qs = qs.filter(team_id=team_id)
    else:
        rows = list(qs.values_list("team_id", "period", "start", "amount"))
        has_team = any(r[0] for r in rows)
        rows = [r for r in rows if bool(r[0]) == has_team]
        return _spread(rows, period)
    return _spread(list(qs.values_list("team_id", "period", "start", "amount")), period)


def _spread(rows: list[tuple[Any, str, dt.date, Decimal]], period: Period) -> dict[dt.date, Decimal]:
    months = dict.fromkeys(period.months(), Decimal(0))
    for _, kind, start, amount in rows:
        if kind == SalesTarget.Period.QUARTER:
            day = start
            for _ in range(3):
                if day in months:
                    months[day] += amount / 3
                day = _next_month(day)
        elif start in months:
            months[start] += amount
    return months


def dashboard(
    *, user: User, company: Company, period: Period, owner_id: int | None = None, team_id: int | None = None
) -> Dashboard:
    """Pipeline by stage (open deals now), and won / lost deals, revenue against target in ``period``.

    Months are the company's time zone. Each amount is rounded half-up to the company currency
    once, from the exact sum (the period's revenue is not a sum of rounded months).
    """
    require(user, "crm.view", company)
    currency = company.base_currency
    scope = Opportunity.objects.filter(company=company)
    if owner_id:
        scope = scope.filter(owner_id=owner_id)
    if team_id:
        scope = scope.filter(team_id=team_id)
    pipeline = pipeline_default(company=company)
    open_by_stage = {
        row["stage_id"]: row
        for row in scope.filter(status=Opportunity.Status.OPEN, pipeline=pipeline)
        .values("stage_id")
        .annotate(n=Count("pk"), total=Sum("expected_revenue"))
    }
    stages = []
    for stage in Stage.objects.filter(pipeline=pipeline, is_won=False, is_lost=False):
        row = open_by_stage.get(stage.pk, {"n": 0, "total": Decimal(0)})
        stages.append(
            StageRow(
                stage=stage.name,
                probability=stage.probability,
                count=row["n"],
                amount=round_amount(row["total"], currency),
                weighted=round_amount(row["total"] * stage.probability / 100, currency),
            )
        )
    zone = ZoneInfo(company.time_zone or "UTC")
    since = dt.datetime.combine(period.start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(period.end, dt.time(), tzinfo=zone)
    closed = scope.filter(status__in=(Opportunity.Status.WON, Opportunity.Status.LOST), closed_at__gte=since, closed_at__lt=until)
    per_month: dict[dt.date, list[Any]] = {m: [0, 0, Decimal(0)] for m in period.months()}
    won_amounts: list[Decimal] = []
    cycle = dt.timedelta()
    for status, amount, created_at, closed_at in closed.values_list("status", "expected_revenue", "created_at", "closed_at"):
        month = timezone.localtime(closed_at, timezone=zone).date().replace(day=1)
        if status == Opportunity.Status.WON:
            per_month[month][0] += 1
            per_month[month][2] += amount
            won_amounts.append(amount)
            cycle += max(closed_at - created_at, dt.timedelta())
        else:
            per_month[month][1] += 1
    targets = _monthly_targets(company, period, owner_id, team_id)
    months = [
        MonthRow(month=m, won=v[0], lost=v[1], revenue=round_amount(v[2], currency), target=round_amount(targets[m], currency))
        for m, v in per_month.items()
    ]
    won, lost = len(won_amounts), sum(m.lost for m in months)
    revenue = round_amount(sum(won_amounts, Decimal(0)), currency)
    return Dashboard(
        period=period,
        currency=currency,
        stages=stages,
        months=months,
        won=won,
        lost=lost,
        revenue=revenue,
        target=round_amount(sum(targets.values(), Decimal(0)), currency),
        win_rate=_percent(won, won + lost),
        average_deal=round_amount(revenue / won, currency) if won else None,
        cycle_days=(Decimal(cycle.total_seconds()) / 86400 / won).quantize(Decimal("0.1")) if won else None,
    )


def opportunity_owner_id(*, company: Company, opportunity_id: int) -> int | None:
    """The user who owns an opportunity of the company, or None (for other apps' reactions to CRM events)."""
    return Opportunity.objects.filter(company=company, pk=opportunity_id).values_list("owner_id", flat=True).first()


def account_owner_id(*, company: Company, party_id: int) -> int | None:
    """The salesperson who looks after a customer: the owner of its latest open opportunity, else of its latest one.

    None when the CRM has no owned opportunity for the party. Read by other apps' reactions
    (an overdue invoice goes to the customer's salesperson), so it takes no user.
    """
    owned = Opportunity.objects.filter(company=company, party_id=party_id, owner__isnull=False, owner__is_active=True)
    # Open deals first: their owner works the account now.
    is_open = ExpressionWrapper(Q(status=Opportunity.Status.OPEN), output_field=BooleanField())
    return owned.order_by(is_open.desc(), "-updated_at", "-pk").values_list("owner_id", flat=True).first()


def party_open_pipeline(*, user: User, company: Company, party_id: int) -> tuple[int, Decimal]:
    """How many opportunities of a party (as organisation or contact) are open, and their expected revenue in all."""
    require(user, "crm.view", company)
    totals = (
        Opportunity.objects.filter(company=company, status=Opportunity.Status.OPEN)
        .filter(Q(party_id=party_id) | Q(contact_id=party_id))
        .aggregate(n=Count("pk"), revenue=ExactSum("expected_revenue"))
    )
    return totals["n"], totals["revenue"] or Decimal(0)
