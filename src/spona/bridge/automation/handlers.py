"""Reactions of the automation app to every event: webhooks (and automation rules)."""

from __future__ import annotations

from spona.bridge.automation.services import rules, webhooks
from spona.core.models import Event


def on_any_event_webhooks(event: Event) -> None:
    """Queue the event for every webhook of its company that subscribed to it; sending is a task."""
    webhooks.queue_for_event(event)


def on_any_event_rules(event: Event) -> None:
    """Run the company's active rules for the event (their actions commit with this delivery)."""
    rules.run_for_event(event)
