"""Reads of the event outbox for administrators: events, dead letters and the backlog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from spona.core import events
from spona.core.errors import ValidationFailed
from spona.core.models import Company, Event, EventDelivery, TimelineEntry, User
from spona.core.permissions import require
from spona.core.selectors.parties import Page, decode_cursor, encode_cursor

_CURSOR_TAG = "event"


def dead_letter_list(*, user: User, company: Company, limit: int = 100) -> list[EventDelivery]:
    """List the company's dead event deliveries, most recent first, with their events.

    Raises PermissionDenied without ``core.manage_events``.
    """
    require(user, "core.manage_events", company)
    limit = max(1, min(limit, 500))
    return list(
        EventDelivery.objects.filter(event__company=company, status=EventDelivery.Status.DEAD)
        .select_related("event", "event__party", "event__actor")
        .order_by("-pk")[:limit]
    )


def event_list(*, user: User, company: Company, name: str = "", cursor: str | None = None, limit: int = 50) -> Page:
    """List the company's events, newest first, with their deliveries (keyset pagination by id).

    ``name`` is an event name (``core.party_created``) or, when no event has that exact name,
    a prefix such as ``core.`` for one app's events.

    Raises PermissionDenied without ``core.manage_events``; ValidationFailed for a bad cursor.
    """
    require(user, "core.manage_events", company)
    qs = Event.objects.filter(company=company)
    name = name.strip()
    if name:
        qs = qs.filter(name=name) if name in events.EVENT_TYPES else qs.filter(name__startswith=name)
    if cursor:
        tag, last_id = decode_cursor(cursor)
        if tag != _CURSOR_TAG:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page.", field_errors={"cursor": ["Invalid cursor."]}
            )
        qs = qs.filter(pk__lt=last_id)
    limit = max(1, min(limit, 200))
    rows = list(qs.select_related("party", "actor").prefetch_related("deliveries").order_by("-pk")[: limit + 1])
    next_cursor = encode_cursor([_CURSOR_TAG, rows[limit - 1].pk]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def outbox_stats(*, user: User, company: Company) -> dict[str, Any]:
    """Count the company's undelivered work: the health of event delivery at a glance.

    Returns ``pending`` (not tried yet), ``retrying`` (failed, waiting for the next attempt),
    ``dead`` (gave up; needs a replay) and ``oldest_pending_age`` (a timedelta since the oldest
    undelivered event occurred, or None when nothing is pending).

    Raises PermissionDenied without ``core.manage_events``.
    """
    require(user, "core.manage_events", company)
    pending = Q(status=EventDelivery.Status.PENDING)
    row = EventDelivery.objects.filter(event__company=company).aggregate(
        pending=Count("pk", filter=pending & Q(attempts=0)),
        retrying=Count("pk", filter=pending & Q(attempts__gt=0)),
        dead=Count("pk", filter=Q(status=EventDelivery.Status.DEAD)),
        oldest=Min("event__occurred_at", filter=pending),
    )
    oldest = row.pop("oldest")
    return {**row, "oldest_pending_age": timezone.now() - oldest if oldest is not None else None}


def delivery_check(*, company: Company, since: datetime | None = None) -> list[str]:
    """Check that every event of the company (since ``since``) reached every handler once; list the problems.

    - no delivery is pending or dead (run it when the workers have drained the outbox);
    - each event has a delivery for every handler subscribed to it without an interest filter
      (those receive every such event; filtered handlers such as webhooks cannot be judged);
    - the timeline is complete: each event about a party of the company put exactly one line
      on that party's timeline (written in the publishing transaction).

    "Once" is also held by the database: one delivery row per event and handler, and one
    timeline line per party and event (unique constraints), with each handler's writes and its
    delivery's ``done`` committed together. An empty list means all is well.
    """
    company_events = Event.objects.filter(company=company)
    if since is not None:
        company_events = company_events.filter(occurred_at__gte=since)
    problems = []
    counts = dict(
        EventDelivery.objects.filter(event__in=company_events)
        .exclude(status=EventDelivery.Status.DONE)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    for status, n in sorted(counts.items()):
        problems.append(f"{n} event deliveries are {status}")
    for name in company_events.order_by().values_list("name", flat=True).distinct():
        for handler in events.always_delivered_to(name):
            missing = (
                company_events.filter(name=name)
                .exclude(Exists(EventDelivery.objects.filter(event=OuterRef("pk"), handler=handler)))
                .count()
            )
            if missing:
                problems.append(f"{missing} {name} events have no delivery to {handler}")
    about_parties = company_events.filter(party__company=company)
    without_line = about_parties.exclude(
        Exists(TimelineEntry.objects.filter(event=OuterRef("pk"), party=OuterRef("party")))
    ).count()
    if without_line:
        problems.append(f"{without_line} events about a party are missing from its timeline")
    return problems
