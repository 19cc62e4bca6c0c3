"""The party timeline: every event that concerns a party, on its 360° page (DESIGN §4).

The timeline is a projection of the outbox: ``events.publish()`` calls ``add_entries`` with the
events it has just recorded, in the same transaction, so an entry exists exactly when its event
does and costs no delivery of its own. Readers go through ``selectors.party_timeline``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def _companies_of(recorded: Sequence[Event]) -> dict[int, int]:
    """The company of each party the events name: known from the party they were published with, else read once."""
    known: dict[int, int] = {}
    for event in recorded:
        if Event.party.is_cached(event) and event.party is not None:
            known[event.party.pk] = event.party.company_id
    unknown = {pid for event in recorded for pid in _parties_of(event)} - known.keys()
    if unknown:
        known.update(Party.objects.filter(pk__in=unknown).values_list("pk", "company_id"))
    return known


def add_entries(recorded: Sequence[Event]) -> list[TimelineEntry]:
    """Put each event on the timeline of every party of its company it concerns (one insert for all).

    A party of another company named in a payload gets nothing: a timeline shows only its own
    company's events.
    """
    concerned = [(event, sorted(_parties_of(event))) for event in recorded if event.company_id is not None]
    if not any(ids for _event, ids in concerned):
        return []
    company_of = _companies_of(recorded)
    entries = []
    for event, party_ids in concerned:
        event_type = events.EVENT_TYPES.get(event.name)
        department = event_type.department if event_type else event.name.split(".", 1)[0]
        title = _title(event)
        entries += [
            TimelineEntry(
                company_id=event.company_id,
                party_id=pid,
                event=event,
                department=department,
                title=title,
                occurred_at=event.occurred_at,
            )
            for pid in party_ids
            if company_of.get(pid) == event.company_id
        ]
    return TimelineEntry.objects.bulk_create(entries)


def register() -> None:
    events.project("core.timeline", add_entries)
