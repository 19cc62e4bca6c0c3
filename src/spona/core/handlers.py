"""The kernel's reactions to events: every event that concerns a party goes on its timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from spona.core import events
from spona.core.models import Event, Party, TimelineEntry


def _title(event: Event) -> str:
    event_type = events.EVENT_TYPES.get(event.name)
    if event_type is None:
        return event.name
    try:
        return event_type.title.format(**event.payload)[:200]
    except (KeyError, IndexError, ValueError):
        return event_type.description[:200]


def _parties_of(event: Event) -> set[int]:
    payload: dict[str, Any] = event.payload or {}
    ids = {event.party_id} if event.party_id else set()
    for key in ("from_party_id", "to_party_id"):
        if isinstance(payload.get(key), int):
            ids.add(payload[key])
    return ids


def on_any_event_add_to_timeline(event: Event) -> None:
    """Put the event on the timeline of each party it concerns (idempotent per party and event)."""
    party_ids = _parties_of(event)
    if not party_ids or event.company_id is None:
        return
    event_type = events.EVENT_TYPES.get(event.name)
    department = event_type.department if event_type else event.name.split(".", 1)[0]
    # One read: the event's parties of its company that do not have this entry yet (a redelivery adds none).
    valid = set(
        Party.objects.filter(pk__in=party_ids, company_id=event.company_id)
        .exclude(Exists(TimelineEntry.objects.filter(event=event, party_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                company_id=event.company_id,
                party_id=pid,
                event=event,
                department=department,
                title=_title(event),
                occurred_at=event.occurred_at,
            )
            for pid in sorted(valid)
        ]
    )


def subscribe_all() -> None:
    events.subscribe("*", "core.timeline", on_any_event_add_to_timeline)
