"""Services for the event outbox: replaying dead letters once their cause is fixed."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spona.core import audit, events
from spona.core.errors import NotFound, StateError
from spona.core.models import Company, EventDelivery, User
from spona.core.permissions import require

# Dead letters replayed per query by delivery_replay_all: bounds memory after a long outage.
_REPLAY_CHUNK = 500


def _reset(delivery: EventDelivery, *, actor: User, company: Company) -> None:
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = EventDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit.record(
        actor=actor,
        target=delivery,
        action="replayed",
        changes=audit.diff(before, {"status": delivery.status, "attempts": 0}),
        company_id=company.pk,
    )


@transaction.atomic
def delivery_replay(*, actor: User, company: Company, delivery_id: int) -> EventDelivery:
    """Send a dead (or waiting) event delivery to its handler again, now.

    The delivery goes back to pending with no attempts counted and is due at once; its last
    error is kept until the next attempt succeeds. Only deliveries of the company's own events
    can be replayed; a delivery already done is refused, because running its handler again
    would repeat its effect.

    Raises PermissionDenied without ``core.manage_events``, NotFound for a delivery of another
    company, StateError for a delivery already done.
    """
    require(actor, "core.manage_events", company)
    delivery = (
        EventDelivery.objects.select_for_update(of=("self",))
        .select_related("event")
        .filter(pk=delivery_id, event__company=company)
        .first()
    )
    if delivery is None:
        raise NotFound("No such event delivery.")
    if delivery.status == EventDelivery.Status.DONE:
        raise StateError("This delivery has already been processed; replaying it would repeat its effect.")
    _reset(delivery, actor=actor, company=company)
    if settings.EVENTS_DISPATCH_ON_COMMIT:
        transaction.on_commit(lambda: events.deliver(delivery.pk))
    return delivery


@transaction.atomic
def delivery_replay_all(*, actor: User, company: Company) -> int:
    """Replay every dead letter of the company's events; return how many were replayed.

    Each replay is audited like ``delivery_replay``; the worker delivers them on its next round.

    Raises PermissionDenied without ``core.manage_events``.
    """
    require(actor, "core.manage_events", company)
    dead = EventDelivery.objects.filter(event__company=company, status=EventDelivery.Status.DEAD)
    replayed = 0
    while True:
        chunk = list(dead.select_for_update(of=("self",)).order_by("pk")[:_REPLAY_CHUNK])
        if not chunk:
            return replayed
        for delivery in chunk:
            _reset(delivery, actor=actor, company=company)
        replayed += len(chunk)
