"""Queries of support, always scoped to the caller's company and permission.

Other apps and the customer portal import this module (``from spona.front.support import selectors``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from spona.core.errors import NotFound
from spona.core.models import Company, Party, User
from spona.core.permissions import require
from spona.core.selectors import Page, decode_cursor, encode_cursor
from spona.front.support.models import (
    Article,
    ChatLine,
    ChatSession,
    Macro,
    Message,
    Queue,
    ReturnRequest,
    Satisfaction,
    Ticket,
    TicketLink,
    TimeEntry,
)

SLA_STATES = ("ok", "warning", "breached", "paused")


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> Page:
    """Keyset pagination on descending id (newest first); the cursor carries the last id."""
    if cursor:
        _, pk = decode_cursor(cursor)
        qs = qs.filter(pk__lt=pk)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def _sla_filter(state: str, now: dt.datetime) -> Q:
    open_q = Q(status__in=Ticket.OPEN_STATES, sla_due_at__isnull=False)
    if state == "paused":
        return open_q & Q(sla_paused_at__isnull=False)
    running = open_q & Q(sla_paused_at__isnull=True)
    if state == "breached":
        return running & Q(sla_due_at__lte=now)
    if state == "warning":
        return running & Q(sla_due_at__gt=now, sla_warn_at__lte=now)
    return running & Q(sla_due_at__gt=now) & (Q(sla_warn_at__isnull=True) | Q(sla_warn_at__gt=now))


def ticket_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = "",
    queue_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    priority: str = "",
    channel: str = "",
    sla: str = "",
    party_id: int | None = None,
    open_only: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List tickets newest first, filtered; each row carries what the queue shows (no N+1)."""
    require(user, "support.view", company)
    qs = Ticket.objects.filter(company=company, merged_into__isnull=True).select_related("party", "assignee", "queue")
    term = q.strip()
    if term:
        qs = qs.filter(Q(number__iexact=term) | Q(subject__icontains=term) | Q(requester_email__iexact=term))
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.filter(status__in=Ticket.OPEN_STATES)
    if queue_id:
        qs = qs.filter(queue_id=queue_id)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if priority:
        qs = qs.filter(priority=priority)
    if channel:
        qs = qs.filter(channel=channel)
    if party_id:
        qs = qs.filter(party_id=party_id)
    if sla in SLA_STATES:
        qs = qs.filter(_sla_filter(sla, timezone.now()))
    return _page(qs, cursor, limit)


def ticket_get(*, user: User, company: Company, ticket_id: int) -> Ticket:
    """One ticket of the company with its customer, agent, queue, policy and parent."""
    require(user, "support.view", company)
    ticket = (
        Ticket.objects.filter(pk=ticket_id, company=company)
        .select_related("party", "contact", "assignee", "queue", "sla_policy", "parent", "merged_into")
        .first()
    )
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def ticket_next(*, user: User, company: Company) -> Ticket | None:
    """The ticket the agent should work next: new or open, theirs or nobody's, nearest SLA due first
    (tickets without a target after those with one), then the oldest."""
    require(user, "support.manage", company)
    return (
        Ticket.objects.filter(company=company, status__in=(Ticket.Status.NEW, Ticket.Status.OPEN))
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .order_by(F("sla_due_at").asc(nulls_last=True), "id")
        .first()
    )


def ticket_thread(*, user: User, company: Company, ticket: Ticket, public_only: bool = False) -> list[Message]:
    """The ticket's conversation, oldest first, with authors and attachments."""
    require(user, "support.view", company)
    qs = Message.objects.filter(ticket=ticket).select_related("author", "author_party").prefetch_related("attachments")
    if public_only:
        qs = qs.exclude(kind=Message.Kind.NOTE)
    return list(qs.order_by("created_at", "id"))


@dataclass
class TicketContext:
    """What the ticket page shows around the thread."""

    children: list[Ticket]
    links: list[TicketLink]
    time_by_agent: list[dict[str, Any]]
    macros: list[Macro]
    suggested: list[Article]
    agents: list[User] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    return_requests: list[ReturnRequest] = field(default_factory=list)


def ticket_context(*, user: User, company: Company, ticket: Ticket) -> TicketContext:
    require(user, "support.view", company)
    from spona.core.permissions import has_perm

    agents = [u for u in User.objects.filter(memberships__company=company, is_active=True).distinct().order_by("full_name")]
    return TicketContext(
        children=list(ticket.children.order_by("id")),
        links=list(ticket.links.all()),
        time_by_agent=list(
            TimeEntry.objects.filter(ticket=ticket)
            .values("user__full_name")
            .annotate(minutes=Sum("minutes"))
            .order_by("user__full_name")
        ),
        macros=list(Macro.objects.filter(company=company)),
        suggested=article_suggestions(user=user, company=company, text=ticket.subject, limit=3),
        agents=[u for u in agents if has_perm(u, "support.manage", company)],
        queues=list(Queue.objects.filter(company=company)),
        return_requests=list(ticket.return_requests.select_related("requested_by")),
    )


def attachment_get(*, user: User, company: Company, attachment_id: int) -> Any:
    """An attachment of a ticket of the company (per-download authorisation, SEC8)."""
    from spona.front.support.models import Attachment

    require(user, "support.view", company)
    found = Attachment.objects.filter(pk=attachment_id, message__ticket__company=company).first()
    if found is None:
        raise NotFound("No such file.")
    return found


# For other apps and the customer portal --------------------------------------------------------


def party_tickets(*, company: Company, party_id: int, open_only: bool = False, limit: int = 50) -> list[Ticket]:
    """Tickets of a customer (as party or contact), newest first. The caller has checked who may
    see them: an agent (support.view) or the party's own portal user."""
    qs = Ticket.objects.filter(company=company, merged_into__isnull=True).filter(Q(party_id=party_id) | Q(contact_id=party_id))
    if open_only:
        qs = qs.filter(status__in=Ticket.OPEN_STATES)
    return list(qs.select_related("assignee").order_by("-id")[:limit])


def portal_ticket_get(*, company: Company, party_id: int, ticket_id: int) -> tuple[Ticket, list[Message]]:
    """One ticket of the portal user's organisation with its public thread (no internal notes)."""
    ticket = Ticket.objects.filter(pk=ticket_id, company=company, party_id=party_id).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    thread = list(ticket.messages.exclude(kind=Message.Kind.NOTE).prefetch_related("attachments").order_by("created_at", "id"))
    return ticket, thread


@dataclass(frozen=True)
class PartySummary:
    open_tickets: list[Ticket]
    open_count: int
    breached: int


def party_summary(*, user: User, company: Company, party: Party) -> PartySummary:
    """Open tickets of a party for its 360° page, and how many missed their SLA."""
    require(user, "support.view", company)
    qs = Ticket.objects.filter(company=company, status__in=Ticket.OPEN_STATES, merged_into__isnull=True).filter(
        Q(party=party) | Q(contact=party)
    )
    counts = qs.aggregate(n=Count("pk"), breached=Count("pk", filter=_sla_filter("breached", timezone.now())))
    return PartySummary(list(qs.select_related("assignee").order_by("-id")[:5]), counts["n"], counts["breached"])


@dataclass(frozen=True)
class PartyFigures:
    """The support figures of a party's 360° summary: open tickets by SLA state, and the latest CSAT answer."""

    open_count: int
    breached: int
    warning: int
    latest_rating: Satisfaction | None


def party_figures(*, user: User, company: Company, party: Party) -> PartyFigures:
    """Count a party's open tickets (as customer or contact) by SLA state, and find its latest satisfaction answer."""
    require(user, "support.view", company)
    now = timezone.now()
    mine = Q(party=party) | Q(contact=party)
    counts = Ticket.objects.filter(mine, company=company, status__in=Ticket.OPEN_STATES, merged_into__isnull=True).aggregate(
        n=Count("pk"),
        breached=Count("pk", filter=_sla_filter("breached", now)),
        warning=Count("pk", filter=_sla_filter("warning", now)),
    )
    latest = (
        Satisfaction.objects.filter(company=company)
        .filter(Q(ticket__party=party) | Q(ticket__contact=party))
        .select_related("ticket")
        .order_by("-created_at", "-pk")
        .first()
    )
    return PartyFigures(counts["n"], counts["breached"], counts["warning"], latest)


# Knowledge base ---------------------------------------------------------------------------------


def search_articles(qs: QuerySet[Article], text: str) -> QuerySet[Article]:
    """The articles matching every word of ``text`` in title or body (one small place to swap in
    full-text search)."""
    for word in [w for w in text.split() if len(w) > 2][:8]:
        qs = qs.filter(Q(title__icontains=word) | Q(body_markdown__icontains=word))
    return qs


def article_list(*, user: User, company: Company, q: str = "", language: str = "") -> list[Article]:
    require(user, "support.view", company)
    qs = Article.objects.filter(company=company).select_related("category")
    if language:
        qs = qs.filter(language=language)
    return list(search_articles(qs, q)[:200] if q.strip() else qs[:200])


def article_get(*, user: User, company: Company, article_id: int) -> Article:
    require(user, "support.view", company)
    article = Article.objects.filter(pk=article_id, company=company).select_related("category").first()
    if article is None:
        raise NotFound("No such article.")
    return article


def article_suggestions(*, user: User, company: Company, text: str, limit: int = 3) -> list[Article]:
    """Published articles sharing the most words with ``text`` (a ticket's subject), best first."""
    require(user, "support.view", company)
    return _suggest(Article.objects.filter(company=company, is_published=True), text, limit)


def public_article_suggestions(*, company: Company, text: str, limit: int = 5) -> list[Article]:
    """Published public articles sharing the most words with ``text``, best first (for customers typing a ticket)."""
    qs = Article.objects.filter(company=company, visibility=Article.Visibility.PUBLIC, is_published=True)
    return _suggest(qs, text, limit)


def _suggest(qs: QuerySet[Article], text: str, limit: int) -> list[Article]:
    words = list(dict.fromkeys(w.strip(".,:;!?()[]\"'").lower() for w in text.split()))
    words = [w for w in words if len(w) > 3][:6]
    if not words:
        return []
    query = Q()
    for w in words:
        query |= Q(title__icontains=w) | Q(body_markdown__icontains=w)
    candidates = list(qs.filter(query)[:50])

    def score(article: Article) -> tuple[int, int, str]:
        title, body = article.title.lower(), article.body_markdown.lower()
        return (-sum(w in title for w in words), -sum(w in body for w in words), article.title)

    return sorted(candidates, key=score)[:limit]


def public_articles(*, company: Company, q: str = "", language: str = "") -> list[Article]:
    """Published public articles, for the help centre (no login)."""
    qs = Article.objects.filter(company=company, visibility=Article.Visibility.PUBLIC, is_published=True).select_related(
        "category"
    )
    if language:
        qs = qs.filter(language=language)
    return list(search_articles(qs, q)[:100] if q.strip() else qs[:100])


def public_article_get(*, company: Company, article_id: int) -> Article:
    """A published public article by id (the customer portal's links); NotFound for an internal or draft one."""
    article = Article.objects.filter(
        company=company, pk=article_id, visibility=Article.Visibility.PUBLIC, is_published=True
    ).first()
    if article is None:
        raise NotFound("No such article.")
    return article


def public_article(*, company: Company, slug: str) -> Article:
    article = Article.objects.filter(company=company, slug=slug, visibility=Article.Visibility.PUBLIC, is_published=True).first()
    if article is None:
        raise NotFound("No such article.")
    return article


def company_public(*, code: str) -> Company:
    """The active company behind a public page (web form, help centre); NotFound otherwise."""
    company = Company.objects.filter(code=code, is_active=True).first()
    if company is None:
        raise NotFound("No such page.")
    return company


# Reports --------------------------------------------------------------------------------------


@dataclass
class Report:
    backlog: dict[str, int]
    created: int
    solved: int
    first_response_met: int
    first_response_total: int
    resolution_met: int
    resolution_total: int
    avg_first_response_minutes: float | None
    avg_resolution_minutes: float | None
    breached_tickets: int
    csat_good: int
    csat_total: int
    by_channel: list[dict[str, Any]]
    by_type: list[dict[str, Any]]
    workload: list[dict[str, Any]]
    csat_by_agent: list[dict[str, Any]]
    csat_by_queue: list[dict[str, Any]]

    def rate(self, met: int, total: int) -> float | None:
        return round(100 * met / total, 1) if total else None

    @property
    def first_response_rate(self) -> float | None:
        return self.rate(self.first_response_met, self.first_response_total)

    @property
    def resolution_rate(self) -> float | None:
        return self.rate(self.resolution_met, self.resolution_total)

    @property
    def csat_score(self) -> float | None:
        return self.rate(self.csat_good, self.csat_total)


def _minutes(value: Any) -> float | None:
    if value is None:
        return None
    return round(value.total_seconds() / 60, 1) if hasattr(value, "total_seconds") else round(float(value) / 60e6, 1)


def report(*, user: User, company: Company, start: dt.datetime, end: dt.datetime) -> Report:
    """Support figures for tickets opened in [start, end): backlog now, SLA compliance, CSAT, volumes, workload."""
    require(user, "support.view", company)
    base = Ticket.objects.filter(company=company, merged_into__isnull=True)
    period = base.filter(created_at__gte=start, created_at__lt=end)
    backlog = dict(
        base.filter(status__in=Ticket.OPEN_STATES).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    responded = period.filter(first_responded_at__isnull=False)
    fr = responded.filter(first_response_due__isnull=False).aggregate(
        total=Count("pk"), met=Count("pk", filter=Q(first_responded_at__lte=F("first_response_due")))
    )
    solved = period.filter(solved_at__isnull=False)
    rs = solved.filter(resolution_due__isnull=False).aggregate(
        total=Count("pk"), met=Count("pk", filter=Q(solved_at__lte=F("resolution_due")))
    )
    avg_first = responded.aggregate(v=Avg(F("first_responded_at") - F("created_at")))["v"]
    avg_solve = solved.aggregate(v=Avg(F("solved_at") - F("created_at")))["v"]
    csat = Satisfaction.objects.filter(company=company, created_at__gte=start, created_at__lt=end)
    csat_counts = csat.aggregate(total=Count("pk"), good=Count("pk", filter=Q(rating=Satisfaction.Rating.GOOD)))
    return Report(
        backlog={s: backlog.get(s, 0) for s in Ticket.OPEN_STATES},
        created=period.count(),
        solved=solved.count(),
        first_response_met=fr["met"],
        first_response_total=fr["total"],
        resolution_met=rs["met"],
        resolution_total=rs["total"],
        avg_first_response_minutes=_minutes(avg_first),
        avg_resolution_minutes=_minutes(avg_solve),
        breached_tickets=period.filter(sla_breaches__gt=0).count(),
        csat_good=csat_counts["good"],
        csat_total=csat_counts["total"],
        by_channel=list(period.values("channel").annotate(n=Count("pk")).order_by("-n", "channel")),
        by_type=list(period.values("type").annotate(n=Count("pk")).order_by("-n", "type")),
        workload=list(
            base.filter(status__in=Ticket.OPEN_STATES, assignee__isnull=False)
            .values("assignee__full_name")
            .annotate(open=Count("pk"), breached=Count("pk", filter=_sla_filter("breached", timezone.now())))
            .order_by("-open", "assignee__full_name")
        ),
        csat_by_agent=list(
            csat.filter(agent__isnull=False)
            .values("agent__full_name")
            .annotate(total=Count("pk"), good=Count("pk", filter=Q(rating=Satisfaction.Rating.GOOD)))
            .order_by("agent__full_name")
        ),
        csat_by_queue=list(
            csat.filter(queue__isnull=False)
            .values("queue__name")
            .annotate(total=Count("pk"), good=Count("pk", filter=Q(rating=Satisfaction.Rating.GOOD)))
            .order_by("queue__name")
        ),
    )


def chat_history(*, session: ChatSession) -> list[dict[str, Any]]:
    """The events a WebSocket sends on connecting: every line so far, then the chat's status.

    The caller already checked the visitor's token or the agent's permission.
    """
    from spona.front.support import live

    lines = session.lines.select_related("author")
    events = [live.line_event(x, chat_line_name(x, session)) for x in lines]
    return [*events, live.status_event(session)]


def chat_line_name(line: ChatLine, session: ChatSession) -> str:
    """Who wrote a chat line, as both sides see it: the agent's name, the visitor's, or Spona."""
    if line.author_id:
        return line.author.full_name  # type: ignore[union-attr]
    return session.visitor_name if line.sender == ChatLine.Sender.VISITOR else "Spona"


def chat_list(*, user: User, company: Company) -> list[ChatSession]:
    """Chats that are not over yet: waiting ones first (oldest first), then those in conversation."""
    require(user, "support.manage", company)
    return list(
        ChatSession.objects.filter(company=company)
        .exclude(status=ChatSession.Status.ENDED)
        .select_related("agent", "party")
        .order_by("-status", "id")
    )


def chat_page(*, user: User, company: Company, status: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """Chats of the company newest first, optionally in one status, a page at a time (the API's list)."""
    require(user, "support.manage", company)
    qs = ChatSession.objects.filter(company=company).select_related("ticket")
    if status:
        qs = qs.filter(status=status)
    return _page(qs, cursor, limit)


def chat_lines(*, user: User, company: Company, session: ChatSession) -> list[ChatLine]:
    """Every line of a chat, oldest first, with ``name`` set to who wrote it."""
    require(user, "support.manage", company)
    if session.company_id != company.pk:
        raise NotFound("No such chat.")
    lines = list(session.lines.select_related("author"))
    for line in lines:
        line.name = chat_line_name(line, session)  # type: ignore[attr-defined]
    return lines


def chat_get(*, user: User, company: Company, session_id: int) -> ChatSession:
    """One chat of the company with its agent, customer and ticket."""
    require(user, "support.manage", company)
    session = ChatSession.objects.filter(pk=session_id, company=company).select_related("agent", "party", "ticket").first()
    if session is None:
        raise NotFound("No such chat.")
    return session


def return_request_list(
    *,
    user: User,
    company: Company,
    q: str = "",
    status: str = ReturnRequest.Status.REQUESTED,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """List the returns support asked sales for: what a sales user has to open (keyset pagination).

    ``status`` "requested" (the default) is the queue, oldest first, so nothing waits unseen;
    "opened" or "" (any) go newest first. ``q`` matches the ticket number (exact), the order
    number, the customer's name or the reason. Raises ValidationFailed for a broken cursor.
    """
    require(user, "sales.manage", company)
    qs = ReturnRequest.objects.filter(company=company).select_related("ticket__party", "requested_by")
    term = q.strip()
    if term:
        qs = qs.filter(
            Q(ticket__number__iexact=term)
            | Q(order_label__icontains=term)
            | Q(ticket__party__name__icontains=term)
            | Q(reason__icontains=term)
        )
    if status:
        qs = qs.filter(status=status)
    if status != ReturnRequest.Status.REQUESTED:
        return _page(qs, cursor, limit)
    if cursor:
        _, pk = decode_cursor(cursor)
        qs = qs.filter(pk__gt=pk)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("pk")[: limit + 1])
    next_cursor = encode_cursor(["", rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)
