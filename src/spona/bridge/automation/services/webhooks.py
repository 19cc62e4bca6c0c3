"""Outgoing webhooks: subscribe, queue a delivery per event, send with retries, replay.

An event reaches ``queue_for_event`` through the outbox (after the change committed). It writes
one delivery per matching webhook; after that commits, a task sends each one. Sending happens
outside any transaction: the delivery row is claimed first (its next attempt moved a lease
ahead), so two workers never send the same attempt. A failed attempt is retried with
exponential backoff by the sweep job; after ``MAX_ATTEMPTS`` the delivery has failed, and after
``disable_after`` consecutive failed attempts the webhook switches itself off.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from spona.bridge.automation import http
from spona.bridge.automation.models import Webhook, WebhookDelivery
from spona.core import audit, memo
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.events import EVENT_TYPES
from spona.core.models import Company, Event, User
from spona.core.permissions import require

MAX_ATTEMPTS = 6
# While one worker sends an attempt, the others leave the delivery alone this long.
CLAIM_LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """Wait 30 s after the first failed attempt, then 1, 2, 4, 8 minutes …, at most 6 hours."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def webhook_event_names() -> list[str]:
    """Every event a webhook may subscribe to."""
    return sorted(EVENT_TYPES)


def _validate(*, name: str, url: str, event_types: list[str], disable_after: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["This field is required."]
    try:
        http.check_url(url.strip())
    except http.UnsafeTarget as exc:
        errors["url"] = [str(exc)]
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if not event_types:
        errors["event_types"] = ["Choose at least one event."]
    elif unknown:
        errors["event_types"] = [f"Unknown events: {', '.join(unknown)}."]
    if not 1 <= disable_after <= 1000:
        errors["disable_after"] = ["Give a number from 1 to 1000."]
    return errors


@transaction.atomic
def webhook_create(
    *, actor: User, company: Company, name: str, url: str, event_types: list[str], disable_after: int = 10, is_active: bool = True
) -> Webhook:
    """Subscribe an outside address to events; a fresh signing secret is generated.

    Raises ValidationFailed for an empty name, an unknown event, or an address that is not
    http(s) or points at a private, loopback or link-local host (SEC7).
    """
    require(actor, "automation.manage", company)
    errors = _validate(name=name, url=url, event_types=event_types, disable_after=disable_after)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    webhook = Webhook.objects.create(
        company=company,
        name=name.strip(),
        url=url.strip(),
        event_types=sorted(set(event_types)),
        disable_after=disable_after,
        is_active=is_active,
        secret=secrets.token_urlsafe(32),
    )
    audit.record(actor=actor, target=webhook, action="created", changes={"url": webhook.url, "events": webhook.event_types})
    return webhook


@transaction.atomic
def webhook_update(
    *,
    actor: User,
    company: Company,
    webhook_id: int,
    name: str,
    url: str,
    event_types: list[str],
    disable_after: int,
    is_active: bool,
) -> Webhook:
    """Change a webhook; switching it on again clears its failure count. Raises NotFound, ValidationFailed."""
    require(actor, "automation.manage", company)
    webhook = Webhook.objects.select_for_update().filter(pk=webhook_id, company=company).first()
    if webhook is None:
        raise NotFound("No such webhook.")
    errors = _validate(name=name, url=url, event_types=event_types, disable_after=disable_after)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    before = audit.snapshot(webhook, ["name", "url", "event_types", "disable_after", "is_active"])
    if is_active and not webhook.is_active:
        webhook.consecutive_failures, webhook.disabled_reason = 0, ""
    webhook.name, webhook.url, webhook.event_types = name.strip(), url.strip(), sorted(set(event_types))
    webhook.disable_after, webhook.is_active = disable_after, is_active
    webhook.save()
    after = audit.snapshot(webhook, ["name", "url", "event_types", "disable_after", "is_active"])
    audit.record(actor=actor, target=webhook, action="changed", changes=audit.diff(before, after))
    return webhook


@transaction.atomic
def webhook_delete(*, actor: User, company: Company, webhook_id: int) -> None:
    """Remove a webhook and its delivery log."""
    require(actor, "automation.manage", company)
    webhook = Webhook.objects.select_for_update().filter(pk=webhook_id, company=company).first()
    if webhook is None:
        raise NotFound("No such webhook.")
    audit.record(actor=actor, target=webhook, action="deleted")
    webhook.delete()


def _body(event: Event, company: Company) -> str:
    return json.dumps(
        {
            "id": str(event.uuid),
            "event": event.name,
            "occurred_at": event.occurred_at,
            "company": company.code,
            "data": event.payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        sort_keys=True,
    )


def wants_event(company_id: int | None, event_name: str) -> bool:
    """Tell whether an active webhook of the company sends this event (asked when the event is published).

    Read once per transaction, like the rules (``rules.wants_event``).
    """
    if company_id is None:
        return False
    return event_name in memo.remember(("automation.webhooks", company_id), lambda: _webhook_events(company_id))


def _webhook_events(company_id: int) -> frozenset[str]:
    # The names are a JSON list, which SQLite cannot search: a company has few webhooks.
    subscribed = Webhook.objects.filter(company_id=company_id, is_active=True).values_list("event_types", flat=True)
    return frozenset(name for names in subscribed for name in names)


def forget_events(sender: type[Webhook], instance: Webhook, **kwargs: object) -> None:
    """Signal receiver for saved and deleted webhooks: the company's webhook events are read again."""
    memo.forget(("automation.webhooks", instance.company_id))


def queue_for_event(event: Event) -> list[int]:
    """Write one pending delivery per active webhook of the event's company that wants it.

    Called by the outbox handler inside its delivery transaction; sending starts after commit.
    A redelivered event adds nothing (one delivery per webhook and event).
    """
    if event.company_id is None:
        return []
    hooks = [h for h in Webhook.objects.filter(company_id=event.company_id, is_active=True) if event.name in h.event_types]
    if not hooks:
        return []
    existing = set(WebhookDelivery.objects.filter(event=event, replay_of=None).values_list("webhook_id", flat=True))
    body = _body(event, hooks[0].company)
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook=h, event=event, event_name=event.name, body=body, next_attempt_at=now)
            for h in hooks
            if h.pk not in existing
        ]
    )
    ids = [d.pk for d in created]
    send_on_commit(ids)
    return ids


def send_on_commit(ids: list[int]) -> None:
    from spona.bridge.automation import tasks

    for pk in ids:
        transaction.on_commit(lambda pk=pk: tasks.send_webhook.enqueue(pk))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return None
        delivery.next_attempt_at = timezone.now() + CLAIM_LEASE
        delivery.save(update_fields=["next_attempt_at"])
        return delivery


def delivery_attempt(delivery_id: int) -> str | None:
    """Send a due delivery once and record the outcome; return its status, or None when not due.

    Runs outside a transaction (never call it from inside one): the HTTP call must not hold locks.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.is_active:
        result = http.Result(None, "The webhook is switched off.")
    else:
        try:
            result = http.post(
                url=webhook.url,
                body=delivery.body.encode(),
                secret=webhook.secret,
                headers={"Spona-Event": delivery.event_name, "Spona-Delivery": str(delivery.pk)},
            )
        except http.UnsafeTarget as exc:
            result = http.Result(None, f"Refused: {exc}")
    return _record(delivery.pk, result)


@transaction.atomic
def _record(delivery_id: int, result: http.Result) -> str:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = result.status_code
    delivery.response_excerpt = result.note[:500] if result.status_code is not None else ""
    delivery.last_error = "" if result.ok else (result.note if result.status_code is None else f"HTTP {result.status_code}")[:500]
    if result.ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, now, None
        webhook.consecutive_failures = 0
    else:
        webhook.consecutive_failures += 1
        if delivery.attempts >= MAX_ATTEMPTS or not webhook.is_active:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, now, None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        if webhook.is_active and webhook.consecutive_failures >= webhook.disable_after:
            webhook.is_active = False
            webhook.disabled_reason = f"Switched off after {webhook.consecutive_failures} failed attempts in a row."[:300]
            audit.record(actor=None, target=webhook, action="disabled", changes={"reason": webhook.disabled_reason})
    delivery.save()
    webhook.save(update_fields=["consecutive_failures", "is_active", "disabled_reason", "updated_at"])
    return delivery.status


def deliveries_due(limit: int = 50) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, oldest first."""
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def send_due(limit: int = 50) -> int:
    """Attempt every due delivery now (retries, and any whose task was lost); return how many were sent.

    For the command line and tests; the scheduled sweep queues tasks instead (``enqueue_due``).
    """
    return sum(1 for pk in deliveries_due(limit) if delivery_attempt(pk) is not None)


def enqueue_due(limit: int = 200) -> int:
    """Queue a sending task per due delivery; run every half minute by the worker's schedule.

    The periodic job runs inside a transaction, where no HTTP call belongs; the tasks send. A
    task that finds its delivery already claimed or sent does nothing.
    """
    from spona.bridge.automation import tasks

    due = deliveries_due(limit)
    for pk in due:
        tasks.send_webhook.enqueue(pk)
    return len(due)


@transaction.atomic
def delivery_replay(*, actor: User, company: Company, delivery_id: int) -> WebhookDelivery:
    """Send a logged delivery's body again, as a new delivery (new timestamp and signature).

    Raises NotFound, and StateError while the webhook is switched off.
    """
    require(actor, "automation.manage", company)
    original = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id, webhook__company=company).first()
    if original is None:
        raise NotFound("No such delivery.")
    if not original.webhook.is_active:
        raise StateError("Switch the webhook on before replaying its deliveries.")
    replay = WebhookDelivery.objects.create(
        webhook=original.webhook,
        event=original.event,
        event_name=original.event_name,
        body=original.body,
        replay_of=original,
        next_attempt_at=timezone.now(),
    )
    audit.record(actor=actor, target=original.webhook, action="delivery_replayed", changes={"delivery": original.pk})
    send_on_commit([replay.pk])
    return replay
