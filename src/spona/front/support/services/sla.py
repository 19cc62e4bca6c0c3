"""SLA: choose a ticket's policy, set and move its targets, pause the clock, warn and escalate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from spona.core import audit, events
from spona.core.db import service_atomic
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.support import clock
from spona.front.support.models import BusinessCalendar, Holiday, SlaPolicy, Ticket


def hours_of(calendar: BusinessCalendar | None) -> clock.Hours | None:
    """The clock's view of a calendar (None: round the clock)."""
    if calendar is None:
        return None
    return clock.Hours(
        zone=ZoneInfo(calendar.time_zone),
        week=clock.parse_hours(calendar.hours),
        holidays=frozenset(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True)),
    )


def policy_for(*, company: Company, priority: str, channel: str, customer_tags: Callable[[], set[str]]) -> SlaPolicy | None:
    """The first active policy, by sequence, whose conditions all match (a blank condition matches).

    ``customer_tags`` is called only when a policy's condition names a tag, so a company whose
    policies do not look at tags never reads the customer's.
    """
    tags: set[str] | None = None
    for policy in SlaPolicy.objects.filter(company=company, is_active=True).select_related("calendar"):
        if policy.priority and policy.priority != priority:
            continue
        if policy.channel and policy.channel != channel:
            continue
        if policy.customer_tag:
            if tags is None:
                tags = {t.lower() for t in customer_tags()}
            if policy.customer_tag.lower() not in tags:
                continue
        return policy
    return None


def _minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def refresh_due(ticket: Ticket, hours: clock.Hours | None, now: dt.datetime) -> None:
    """Set ``sla_due_at`` to the nearest open target and ``sla_warn_at`` to its warning moment.

    A new target clears the warned/breached marks so that the job warns about it once.
    """
    candidates = []
    if ticket.is_open():
        if ticket.first_response_due and ticket.first_responded_at is None:
            candidates.append((ticket.first_response_due, "first_response"))
        if ticket.next_response_due:
            candidates.append((ticket.next_response_due, "next_response"))
        if ticket.resolution_due:
            candidates.append((ticket.resolution_due, "resolution"))
    due = min(candidates)[0] if candidates else None
    if due == ticket.sla_due_at and (due is None or ticket.sla_warn_at is not None):
        return
    ticket.sla_warned_at = None
    ticket.sla_breached_at = None
    ticket.sla_due_at = due
    ticket.sla_warn_at = None
    if due is not None and ticket.sla_policy is not None:
        # Warn once warning_percent of the business time from now to the target has passed.
        left = clock.between(now, due, hours)
        ticket.sla_warn_at = clock.add(now, left * ticket.sla_policy.warning_percent / 100, hours) if left else due


def target_name(ticket: Ticket) -> str:
    if ticket.sla_due_at is None:
        return ""
    if ticket.first_response_due == ticket.sla_due_at and ticket.first_responded_at is None:
        return "first_response"
    if ticket.next_response_due == ticket.sla_due_at:
        return "next_response"
    return "resolution"


def apply_policy(ticket: Ticket, customer_tags: Callable[[], set[str]], now: dt.datetime) -> None:
    """Choose the ticket's policy and set its first-response and resolution targets from ``now``."""
    policy = policy_for(company=ticket.company, priority=ticket.priority, channel=ticket.channel, customer_tags=customer_tags)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = ticket.next_response_due = None
        refresh_due(ticket, None, now)
        return
    hours = hours_of(policy.calendar)
    ticket.first_response_due = clock.add(now, _minutes(policy.first_response_minutes), hours)
    ticket.resolution_due = clock.add(now, _minutes(policy.resolution_minutes), hours)
    refresh_due(ticket, hours, now)


def on_agent_reply(ticket: Ticket, now: dt.datetime) -> None:
    """A public reply meets the first-response (or next-response) target."""
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
    ticket.next_response_due = None
    refresh_due(ticket, hours_of(ticket.sla_policy.calendar) if ticket.sla_policy else None, now)


def on_customer_message(ticket: Ticket, now: dt.datetime) -> None:
    """A customer's message after the first answer starts the next-response target."""
    policy = ticket.sla_policy
    if policy is None or ticket.first_responded_at is None or ticket.next_response_due is not None:
        return
    hours = hours_of(policy.calendar)
    ticket.next_response_due = clock.add(now, _minutes(policy.next_response_minutes), hours)
    refresh_due(ticket, hours, now)


def pause(ticket: Ticket, now: dt.datetime) -> None:
    """Stop the clock while the ticket waits on the customer."""
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now


def resume(ticket: Ticket, now: dt.datetime) -> None:
    """Start the clock again: every open target moves by the business time the pause lasted."""
    if ticket.sla_paused_at is None:
        return
    hours = hours_of(ticket.sla_policy.calendar) if ticket.sla_policy else None
    paused = clock.between(ticket.sla_paused_at, now, hours)
    ticket.sla_paused_at = None
    for name in ("first_response_due", "next_response_due", "resolution_due"):
        due = getattr(ticket, name)
        if due is not None and paused:
            setattr(ticket, name, shift(due, paused, hours))
    refresh_due(ticket, hours, now)


def shift(due: dt.datetime, paused: dt.timedelta, hours: clock.Hours | None) -> dt.datetime:
    """Move a due time later by ``paused`` business time (the clock stood still that long)."""
    return clock.add(due, paused, hours)


ESCALATE = {
    Ticket.Priority.LOW: Ticket.Priority.NORMAL,
    Ticket.Priority.NORMAL: Ticket.Priority.HIGH,
    Ticket.Priority.HIGH: Ticket.Priority.URGENT,
}


def _payload(ticket: Ticket, target: str) -> dict[str, object]:
    return {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "due_at": ticket.sla_due_at.isoformat() if ticket.sla_due_at else "",
        "target": target,
    }


def sla_check(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Warn about tickets close to a target and escalate those past it (the scheduled job).

    Escalation raises the priority one step and notifies through ``support.sla_breached``;
    each ticket is warned and escalated once per target, so running the job again does nothing.
    """
    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0}
    open_unpaused = Ticket.objects.filter(status__in=Ticket.OPEN_STATES, sla_paused_at__isnull=True)
    breached = list(open_unpaused.filter(sla_due_at__lte=now, sla_breached_at__isnull=True).values_list("pk", flat=True)[:limit])
    for pk in breached:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("party").get(pk=pk)
            if ticket.sla_breached_at is not None or ticket.sla_due_at is None or ticket.sla_due_at > now:
                continue
            before = ticket.priority
            ticket.priority = ESCALATE.get(ticket.priority, ticket.priority)
            ticket.sla_breached_at = now
            ticket.sla_warned_at = ticket.sla_warned_at or now
            ticket.sla_breaches += 1
            ticket.save(update_fields=["priority", "sla_breached_at", "sla_warned_at", "sla_breaches", "updated_at"])
            audit.record(actor=None, target=ticket, action="sla_breached", changes={"priority": [before, ticket.priority]})
            events.publish(
                "support.sla_breached", company=ticket.company, party=ticket.party, **_payload(ticket, target_name(ticket))
            )
            counts["breached"] += 1
    warned = list(
        open_unpaused.filter(sla_warn_at__lte=now, sla_due_at__gt=now, sla_warned_at__isnull=True).values_list("pk", flat=True)[
            :limit
        ]
    )
    for pk in warned:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("party").get(pk=pk)
            if ticket.sla_warned_at is not None:
                continue
            ticket.sla_warned_at = now
            ticket.save(update_fields=["sla_warned_at", "updated_at"])
            events.publish("support.sla_warning", company=ticket.company, party=None, **_payload(ticket, target_name(ticket)))
            counts["warned"] += 1
    return counts


# Configuration ----------------------------------------------------------------------------


@service_atomic
def calendar_create(
    *,
    actor: User | None,
    company: Company,
    name: str,
    time_zone: str,
    hours: dict[str, list[list[str]]],
    holidays: list[tuple[dt.date, str]] = (),
) -> BusinessCalendar:
    """Create a business-hours calendar with its holidays.

    Raises ValidationFailed for an unknown time zone or malformed opening hours.
    """
    if actor is not None:
        require(actor, "support.configure", company)
    try:
        ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        raise ValidationFailed("Unknown time zone.", field_errors={"time_zone": [f"Unknown time zone {time_zone!r}."]}) from None
    calendar = BusinessCalendar(company=company, name=name.strip(), time_zone=time_zone, hours=hours)
    full_clean_or_raise(calendar, exclude=["company"])
    calendar.save()
    Holiday.objects.bulk_create([Holiday(company=company, calendar=calendar, date=d, name=n) for d, n in holidays])
    audit.record(actor=actor, target=calendar, action="created")
    return calendar


@service_atomic
def policy_create(
    *,
    actor: User | None,
    company: Company,
    name: str,
    first_response_minutes: int,
    next_response_minutes: int,
    resolution_minutes: int,
    calendar_id: int | None = None,
    priority: str = "",
    channel: str = "",
    customer_tag: str = "",
    sequence: int = 10,
    warning_percent: int = 75,
) -> SlaPolicy:
    """Add an SLA policy; the first active match by sequence applies to a new ticket."""
    if actor is not None:
        require(actor, "support.configure", company)
    calendar = None
    if calendar_id is not None:
        calendar = BusinessCalendar.objects.filter(pk=calendar_id, company=company).first()
        if calendar is None:
            raise ValidationFailed("Choose a calendar of this company.", field_errors={"calendar_id": ["Unknown calendar."]})
    if priority and priority not in Ticket.Priority.values:
        raise ValidationFailed("Unknown priority.", field_errors={"priority": ["Unknown priority."]})
    if channel and channel not in Ticket.Channel.values:
        raise ValidationFailed("Unknown channel.", field_errors={"channel": ["Unknown channel."]})
    policy = SlaPolicy(
        company=company,
        name=name.strip(),
        sequence=sequence,
        priority=priority,
        channel=channel,
        customer_tag=customer_tag.strip(),
        calendar=calendar,
        first_response_minutes=first_response_minutes,
        next_response_minutes=next_response_minutes,
        resolution_minutes=resolution_minutes,
        warning_percent=warning_percent,
    )
    full_clean_or_raise(policy, exclude=["company"])
    policy.save()
    audit.record(actor=actor, target=policy, action="created")
    return policy
