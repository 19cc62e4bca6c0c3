"""Domain events through a transactional outbox (DESIGN §4).

``publish()`` writes the event, its projections (the party timeline) and one delivery row per
interested handler in the caller's transaction, so an event exists exactly when the change that
caused it was committed. After commit the embedded mode dispatches in-process; ``spona worker``
dispatches whatever is due (new deliveries, retries after backoff, anything a crashed process
left behind).

A projection is a view derived from events and nothing else (the timeline): it is written with
the event, so it never lags behind it and costs no delivery, no dispatch and no second
transaction. Anything that can fail, takes time or changes another app's data is a handler.

A handler runs in its own transaction together with the switch of its delivery to ``done``:
its effect and the processed-event record commit together, so redelivery has no effect and a
crash mid-handler leaves the delivery pending for the next attempt (QUALITY J1).
"""

from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from spona.core import context
from spona.core.db import unique_row
from spona.core.errors import ValidationFailed

if TYPE_CHECKING:
    from spona.core.models import Company, Event, Party, User

logger = logging.getLogger(__name__)

Handler = Callable[["Event"], None]
# Asked at publish with the company's id and the event's name: does the handler want a delivery?
Interest = Callable[[int | None, str], bool]
# Asked at publish with each event's payload: is this one for the handler at all?
When = Callable[[Mapping[str, Any]], bool]
# Called by publish() with the events it has just written, in the same transaction.
Projection = Callable[[Sequence["Event"]], None]


@dataclass(frozen=True)
class EventType:
    """The name, meaning and payload schema of one kind of event."""

    name: str
    description: str
    payload: type[BaseModel]
    department: str
    title: str  # format string over the payload, shown on timelines


EVENT_TYPES: dict[str, EventType] = {}
_HANDLERS: dict[str, dict[str, Handler]] = {}
_INTERESTS: dict[tuple[str, str], Interest] = {}  # (event name or "*", handler name)
_WHEN: dict[tuple[str, str], When] = {}
_PROJECTIONS: dict[str, Projection] = {}


def define(event_type: EventType) -> EventType:
    """Register an event type; each app calls this from its ``events.py``."""
    if event_type.name in EVENT_TYPES and EVENT_TYPES[event_type.name] != event_type:
        raise ValueError(f"Event {event_type.name} is defined twice.")
    EVENT_TYPES[event_type.name] = event_type
    return event_type


def subscribe(
    event_name: str, handler_name: str, handler: Handler, *, interested: Interest | None = None, when: When | None = None
) -> None:
    """Subscribe a handler under a stable name; ``"*"`` receives every event.

    The name is stored on delivery rows, so renaming a handler is a data migration.
    ``interested(company_id, event_name)``, when given, is asked in the publishing transaction;
    when it answers False no delivery is recorded for the handler. It is for catch-all handlers
    that act only on what the company configured (automation's rules and webhooks): each
    delivery costs a transaction of its own, so an event nobody asked for should not create one.
    ``when(payload)``, for the same reason, keeps a handler that acts on some events of a kind
    only (the vendor bills among posted invoices) from getting the others: it must be a pure
    test of the payload, the very one the handler would make before doing nothing.
    """
    if event_name != "*" and event_name not in EVENT_TYPES:
        raise KeyError(f"Cannot subscribe to unknown event {event_name!r}.")
    _HANDLERS.setdefault(event_name, {})[handler_name] = handler
    key = (event_name, handler_name)
    _INTERESTS.pop(key, None)
    _WHEN.pop(key, None)
    if interested is not None:
        _INTERESTS[key] = interested
    if when is not None:
        _WHEN[key] = when


def unsubscribe(event_name: str, handler_name: str) -> None:
    """Remove a subscription (plugins being unloaded, tests cleaning up); unknown names are ignored.

    Deliveries already recorded for the handler stay; without a handler they end as dead letters.
    """
    _HANDLERS.get(event_name, {}).pop(handler_name, None)
    _INTERESTS.pop((event_name, handler_name), None)
    _WHEN.pop((event_name, handler_name), None)


def project(name: str, projection: Projection) -> None:
    """Register a projection of every event, written by ``publish()`` inside its transaction.

    A projection gets the events just recorded (several when ``publish_many()`` recorded them)
    and writes what derives from them alone, in bulk; it must not fail on valid events, since
    its failure rolls back the change that published them. It has no delivery rows, so it is
    never retried, replayed or dispatched: a rolled-back transaction takes it along.
    """
    _PROJECTIONS[name] = projection


def handlers_for(event_name: str) -> dict[str, Handler]:
    return {**_HANDLERS.get("*", {}), **_HANDLERS.get(event_name, {})}


def _interested_handlers(event_name: str, company_id: int | None) -> list[str]:
    """The names of the handlers that get a delivery of this event, sorted."""
    subscribed = {
        **{h: ("*", h) for h in _HANDLERS.get("*", {})},
        **{h: (event_name, h) for h in _HANDLERS.get(event_name, {})},
    }
    return sorted(
        h for h, key in subscribed.items() if (interested := _INTERESTS.get(key)) is None or interested(company_id, event_name)
    )


def always_delivered_to(event_name: str) -> list[str]:
    """The names of the handlers that get a delivery of every such event (no interest or payload filter), sorted."""
    specific = _HANDLERS.get(event_name, {})
    keys = {h: (event_name if h in specific else "*", h) for h in handlers_for(event_name)}
    return sorted(h for h, key in keys.items() if key not in _INTERESTS and key not in _WHEN)


def _wants(event_name: str, handler_name: str, payload: Mapping[str, Any]) -> bool:
    when = _WHEN.get((event_name, handler_name)) or _WHEN.get(("*", handler_name))
    return when is None or when(payload)


def handler_by_name(event_name: str, handler_name: str) -> Handler | None:
    return handlers_for(event_name).get(handler_name)


def publish(
    name: str,
    /,
    *,
    company: Company | None,
    party: Party | None = None,
    actor: User | None = None,
    **payload: Any,
) -> Event:
    """Record an event in the outbox within the current transaction.

    Raises ValidationFailed when the payload does not match the event's schema.
    """
    return publish_many(name, company=company, party=party, actor=actor, payloads=[payload])[0]


def publish_many(
    name: str,
    /,
    *,
    company: Company | None,
    payloads: Sequence[Mapping[str, Any]],
    party: Party | None = None,
    actor: User | None = None,
) -> list[Event]:
    """Record one event per payload (the lines of one document, say) with one insert per table.

    The events share their name, company, party and actor; each is delivered on its own, as
    if published one by one. Raises ValidationFailed when a payload does not match the schema
    (then nothing is recorded).
    """
    return publish_all([(name, actor, payload) for payload in payloads], company=company, party=party)


def publish_all(
    items: Sequence[tuple[str, User | None, Mapping[str, Any]]],
    *,
    company: Company | None,
    party: Party | None = None,
) -> list[Event]:
    """Record the events of one change, ``(name, actor, payload)`` each, with one insert per table.

    For a change that announces several things at once (a ticket created, assigned and with its
    first message): the events keep their order and share their company and party; each is
    delivered on its own, as if published one by one. Raises ValidationFailed when a payload
    does not match its schema (then nothing is recorded).
    """
    from spona.core.models import Event, EventDelivery

    data = []
    for name, actor, payload in items:
        event_type = EVENT_TYPES.get(name)
        if event_type is None:
            raise KeyError(f"Unknown event {name!r}; define it in the app's events.py.")
        try:
            item = event_type.payload(**payload).model_dump(mode="json")
        except ValidationError as exc:
            raise ValidationFailed(f"Event {name} has an invalid payload: {exc}") from exc
        actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
        data.append((name, actor_id, item))
    if not data:
        return []
    request_id = context.request_id()
    recorded = Event.objects.bulk_create(
        [
            Event(name=name, company=company, party=party, actor_id=actor_id, payload=item, request_id=request_id)
            for name, actor_id, item in data
        ]
    )
    for projection in _PROJECTIONS.values():
        projection(recorded)
    # The handlers are asked once per name: the events share the company they decide on.
    company_id = company.pk if company is not None else None
    handlers = {name: _interested_handlers(name, company_id) for name in {e.name for e in recorded}}
    deliveries = EventDelivery.objects.bulk_create(
        [EventDelivery(event=e, handler=h) for e in recorded for h in handlers[e.name] if _wants(e.name, h, e.payload)]
    )
    if deliveries and settings.EVENTS_DISPATCH_ON_COMMIT:
        # SQLite and PostgreSQL return the ids of bulk inserts: no need to look them up again.
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _dispatch_committed(ids))
    return recorded


def _dispatch_committed(ids: list[int]) -> None:
    if not settings.EVENTS_DISPATCH_QUEUED:
        deliver_all(ids)
        return
    # Scale-out: the task queue's workers deliver, not the web process.
    from spona.core import tasks

    try:
        tasks.deliver_events.enqueue(ids)
    except Exception as exc:
        # The change is committed and its deliveries are in the outbox: the periodic catch-up
        # delivers them. The caller (a request that succeeded) must not fail for this.
        logger.warning("Event deliveries %s not queued (%s: %s); the catch-up will deliver them", ids, type(exc).__name__, exc)


def deliver_all(ids: list[int]) -> int:
    """Deliver each of these deliveries that is still pending; return how many succeeded."""
    return sum(1 for pk in ids if deliver(pk) is Outcome.DONE)


class Outcome(StrEnum):
    """What one delivery attempt did."""

    DONE = "done"  # the handler ran and its effect committed with the delivery's ``done``
    FAILED = "failed"  # the handler raised; the delivery waits for a retry or is dead
    SKIPPED = "skipped"  # already done or dead, or another worker holds it right now


def dispatch_event(event_id: int) -> int:
    """Deliver one event's pending deliveries now; return how many succeeded."""
    from spona.core.models import EventDelivery

    ids = list(EventDelivery.objects.filter(event_id=event_id, status=EventDelivery.Status.PENDING).values_list("pk", flat=True))
    return deliver_all(ids)


def due_delivery_ids(limit: int = 100, *, settled_for: timedelta = timedelta(0)) -> list[int]:
    """Return the ids of up to ``limit`` deliveries that are due, oldest first.

    ``settled_for`` leaves out deliveries that became due less than that long ago.
    """
    from spona.core.models import EventDelivery

    return list(
        EventDelivery.objects.filter(status=EventDelivery.Status.PENDING, next_attempt_at__lte=timezone.now() - settled_for)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def dispatch_due(limit: int = 100) -> int:
    """Deliver up to ``limit`` due deliveries (new, retrying or left by a crash); return how many succeeded."""
    return deliver_all(due_delivery_ids(limit))


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8 … seconds, at most an hour."""
    base = min(2**attempts, 3600)
    return timedelta(seconds=base * random.uniform(0.5, 1.0))


def _lock_due(pk: int) -> Any:
    from spona.core.models import EventDelivery

    # The event's company too: most handlers act within it.
    qs = EventDelivery.objects.select_related("event__company").filter(pk=pk, status=EventDelivery.Status.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        # Another worker holding this delivery is working on it: skip rather than wait.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return unique_row(qs)


def deliver(pk: int) -> Outcome:
    """Run one delivery's handler if the delivery is still pending.

    The handler's writes and the switch to ``done`` commit in one transaction, so delivering
    the same row twice has no second effect. A failure rolls the handler's writes back and
    schedules a retry with backoff; after ``EVENTS_MAX_ATTEMPTS`` the delivery is dead.
    """
    from spona.core.models import EventDelivery

    try:
        with transaction.atomic():
            delivery = _lock_due(pk)
            if delivery is None:
                return Outcome.SKIPPED
            handler = handler_by_name(delivery.event.name, delivery.handler)
            if handler is None:
                raise LookupError(f"No handler named {delivery.handler} is subscribed to {delivery.event.name}.")
            with context.bound_request_id(delivery.event.request_id or None):
                handler(delivery.event)
            delivery.status = EventDelivery.Status.DONE
            delivery.attempts += 1
            delivery.processed_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=["status", "attempts", "processed_at", "last_error"])
            return Outcome.DONE
    except Exception as exc:
        _record_failure(pk, exc, traceback.format_exc(limit=5))
        return Outcome.FAILED


def _record_failure(pk: int, exc: Exception, error: str) -> None:
    from spona.core.models import EventDelivery

    with transaction.atomic():
        delivery = (
            EventDelivery.objects.select_for_update(**_of_self())
            .select_related("event")
            .filter(pk=pk, status=EventDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return
        delivery.attempts += 1
        delivery.last_error = error[-4000:]
        if delivery.attempts >= settings.EVENTS_MAX_ATTEMPTS:
            delivery.status = EventDelivery.Status.DEAD
            fate = "now a dead letter"
        else:
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
            fate = f"retry at {delivery.next_attempt_at:%H:%M:%S}"
        delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    # One line per failure; the traceback is kept on the delivery for the dead-letter page.
    logger.warning(
        "Event delivery %s (%s -> %s) failed, attempt %s of %s, %s: %s: %s",
        pk,
        delivery.event.name,
        delivery.handler,
        delivery.attempts,
        settings.EVENTS_MAX_ATTEMPTS,
        fate,
        type(exc).__name__,
        str(exc).splitlines()[0][:300] if str(exc) else "",
    )


def _of_self() -> dict[str, Any]:
    # PostgreSQL must not lock the joined event row too: many deliveries share one event.
    return {"of": ("self",)} if connection.features.has_select_for_update_of else {}


# Events the kernel itself publishes.


class PartyPayload(BaseModel):
    party_id: int
    name: str


class PartyChangedPayload(PartyPayload):
    fields: list[str]


class PartiesLinkedPayload(BaseModel):
    relationship_id: int
    from_party_id: int
    to_party_id: int
    description: str


class PartyMergedPayload(BaseModel):
    party_id: int
    name: str
    merged_party_id: int
    merged_name: str
    references_moved: int


PARTY_CREATED = define(EventType("core.party_created", "A party was registered.", PartyPayload, "core", "{name} was registered"))
PARTY_UPDATED = define(
    EventType("core.party_updated", "A party's details changed.", PartyChangedPayload, "core", "{name}: details updated")
)
PARTIES_LINKED = define(
    EventType("core.parties_linked", "Two parties were linked.", PartiesLinkedPayload, "core", "{description}")
)
PARTY_MERGED = define(
    EventType(
        "core.party_merged",
        "A duplicate party was merged into this one.",
        PartyMergedPayload,
        "core",
        "{merged_name} was merged into {name}",
    )
)
