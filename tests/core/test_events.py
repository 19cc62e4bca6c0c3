"""The event outbox: transactional publish, retries with backoff, dead letters and replay."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pydantic import BaseModel

from spona.core import audit, events, selectors, services
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import AuditEntry, Event, EventDelivery, TimelineEntry
from tests.factories import deliver_events, member, party


class PingPayload(BaseModel):
    n: int


PING = events.EventType("test.ping", "A test event.", PingPayload, "core", "ping {n}")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Boom(Exception):
    pass


Subscribe = Callable[[str, events.Handler], None]


@pytest.fixture
def subscribe(monkeypatch: pytest.MonkeyPatch) -> Iterator[Subscribe]:
    """Define ``test.ping`` for one test and subscribe handlers to it; both are removed afterwards."""
    monkeypatch.setitem(events.EVENT_TYPES, PING.name, PING)
    names: list[str] = []

    def add(handler_name: str, handler: events.Handler) -> None:
        events.subscribe(PING.name, handler_name, handler)
        names.append(handler_name)

    yield add
    for name in names:
        events.unsubscribe(PING.name, name)


def effect(event: Event) -> None:
    """The observable work of a test handler: one audit row per run."""
    audit.record(actor=None, target=event, action="test_effect")


def effects(event: Event) -> int:
    return AuditEntry.objects.filter(action="test_effect", target_id=str(event.pk)).count()


def failing_then_working(failures: int) -> tuple[events.Handler, list[int]]:
    calls: list[int] = []

    def handler(event: Event) -> None:
        calls.append(event.pk)
        if len(calls) <= failures:
            raise Boom(f"failure {len(calls)}")
        effect(event)

    return handler, calls


def delivery_of(event: Event, handler: str) -> EventDelivery:
    return EventDelivery.objects.get(event=event, handler=handler)


# Publishing --------------------------------------------------------------------------------


def test_publish_in_a_rolled_back_transaction_leaves_nothing(company, subscribe):
    # given a subscribed handler
    subscribe("test.effect", effect)
    # when the transaction that published the event rolls back
    with pytest.raises(Boom), transaction.atomic():
        events.publish(PING.name, company=company, n=1)
        raise Boom
    # then neither the event nor its deliveries exist
    assert not Event.objects.filter(name=PING.name).exists()
    assert not EventDelivery.objects.filter(event__name=PING.name).exists()


def test_publish_records_one_delivery_per_subscribed_handler(company, subscribe):
    subscribe("test.effect", effect)
    event = events.publish(PING.name, company=company, n=1)
    assert sorted(event.deliveries.values_list("handler", flat=True)) == ["test.effect"]
    assert event.payload == {"n": 1}


def test_the_timeline_entry_is_written_with_the_event_and_rolls_back_with_it(company, other_company, subscribe):
    # given a party of the company and one of another company
    subscribe("test.effect", effect)
    mine, foreign = party(company, "Nova Trade"), party(other_company, "Globex")
    # when an event about the party is published, no delivery has run yet
    event = events.publish(PING.name, company=company, party=mine, n=7)
    # then the party's timeline shows it already, and the timeline has no delivery of its own
    assert list(TimelineEntry.objects.filter(event=event).values_list("party_id", "department", "title")) == [
        (mine.pk, "core", "ping 7")
    ]
    assert not event.deliveries.filter(handler="core.timeline").exists()
    # when an event names another company's party, it reaches no timeline of that company
    stray = events.publish(PING.name, company=company, party=foreign, n=8)
    assert not TimelineEntry.objects.filter(event=stray).exists()
    # when the transaction that published an event rolls back, its entry goes with it
    with pytest.raises(Boom), transaction.atomic():
        events.publish(PING.name, company=company, party=mine, n=9)
        raise Boom
    assert not TimelineEntry.objects.filter(title="ping 9").exists()


def test_publish_many_records_each_event_with_one_insert_per_table(company, subscribe):
    # given a party and a subscribed handler
    subscribe("test.effect", effect)
    buyer = party(company, "Nova Trade")
    # when three events are published at once
    with CaptureQueriesContext(connection) as captured:
        recorded = events.publish_many(PING.name, company=company, party=buyer, payloads=[{"n": n} for n in (1, 2, 3)])
    # then each is an event of its own, on the timeline and delivered to the handler once
    assert [e.payload for e in recorded] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert sorted(TimelineEntry.objects.filter(party=buyer, event__name=PING.name).values_list("title", flat=True)) == [
        "ping 1",
        "ping 2",
        "ping 3",
    ]
    assert EventDelivery.objects.filter(event__in=recorded, handler="test.effect").count() == 3
    # and the events, their timeline entries and their deliveries took one insert each
    assert len(captured.captured_queries) == 3
    assert deliver_events() == 3
    assert [effects(e) for e in recorded] == [1, 1, 1]


def test_publish_many_with_one_invalid_payload_records_nothing(company, subscribe):
    subscribe("test.effect", effect)
    with pytest.raises(ValidationFailed, match="invalid payload"):
        events.publish_many(PING.name, company=company, payloads=[{"n": 1}, {"n": "two"}])
    assert not Event.objects.filter(name=PING.name).exists()


def test_a_handler_that_is_not_interested_gets_no_delivery(company, other_company, subscribe):
    # given a handler interested only in the events of one company
    subscribe("test.effect", effect)
    asked: list[tuple[int | None, str]] = []

    def interested(company_id: int | None, event_name: str) -> bool:
        asked.append((company_id, event_name))
        return company_id == company.pk

    events.subscribe(PING.name, "test.picky", effect, interested=interested)
    try:
        # when the event is published in both companies
        mine = events.publish(PING.name, company=company, n=1)
        theirs = events.publish(PING.name, company=other_company, n=2)
    finally:
        events.unsubscribe(PING.name, "test.picky")
    # then only the company it cares about records a delivery for it; the others are unaffected
    assert sorted(mine.deliveries.values_list("handler", flat=True)) == ["test.effect", "test.picky"]
    assert sorted(theirs.deliveries.values_list("handler", flat=True)) == ["test.effect"]
    assert asked == [(company.pk, PING.name), (other_company.pk, PING.name)]


def test_a_handler_gets_only_the_events_whose_payload_it_acts_on(company, subscribe):
    # given a handler that acts on even pings only, and one that takes every ping
    subscribe("test.effect", effect)
    events.subscribe(PING.name, "test.even", effect, when=lambda payload: payload["n"] % 2 == 0)
    try:
        # when three pings are published together
        published = events.publish_many(PING.name, company=company, payloads=[{"n": 1}, {"n": 2}, {"n": 3}])
        always = events.always_delivered_to(PING.name)
    finally:
        events.unsubscribe(PING.name, "test.even")
    # then the even one alone has a delivery for it; the other handler has one of each
    assert [sorted(e.deliveries.values_list("handler", flat=True)) for e in published] == [
        ["test.effect"],
        ["test.effect", "test.even"],
        ["test.effect"],
    ]
    assert always == ["test.effect"]


def test_unknown_event_name_is_refused(company):
    with pytest.raises(KeyError, match="Unknown event"):
        events.publish("test.no_such_event", company=company)
    assert not Event.objects.exists()


def test_invalid_payload_is_refused(company, subscribe):
    subscribe("test.effect", effect)
    with pytest.raises(ValidationFailed, match="invalid payload"):
        events.publish(PING.name, company=company, n="not a number")
    assert not Event.objects.filter(name=PING.name).exists()


# Delivery, retries, idempotency -----------------------------------------------------------


def test_failing_handler_is_retried_with_growing_backoff_and_takes_effect_once(company, subscribe):
    # given a handler that fails twice, then works
    handler, calls = failing_then_working(failures=2)
    subscribe("test.flaky", handler)
    with time_machine.travel(T0, tick=False) as clock:
        event = events.publish(PING.name, company=company, n=1)
        # when the worker delivers it: the first attempt fails
        deliver_events()
        delivery = delivery_of(event, "test.flaky")
        first_delay = delivery.next_attempt_at - T0
        assert (delivery.status, delivery.attempts) == (EventDelivery.Status.PENDING, 1)
        assert "failure 1" in delivery.last_error
        # and nothing is retried before the backoff has passed
        deliver_events()
        assert len(calls) == 1
        retried_at = delivery.next_attempt_at
        clock.move_to(retried_at)
        deliver_events()
        delivery.refresh_from_db()
        second_delay = delivery.next_attempt_at - retried_at
        assert delivery.attempts == 2
        clock.move_to(delivery.next_attempt_at)
        deliver_events()
    # then the pause grew (about 2 s, then about 4 s) and the effect happened once
    assert timedelta(seconds=1) <= first_delay <= timedelta(seconds=2)
    assert timedelta(seconds=2) <= second_delay <= timedelta(seconds=4)
    assert second_delay >= first_delay
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (EventDelivery.Status.DONE, 3, "")
    assert len(calls) == 3
    assert effects(event) == 1


def test_delivering_the_same_delivery_twice_has_no_second_effect(company, subscribe):
    # given an event delivered once
    subscribe("test.effect", effect)
    event = events.publish(PING.name, company=company, n=1)
    delivery = delivery_of(event, "test.effect")
    assert events.deliver(delivery.pk) is events.Outcome.DONE
    deliver_events()
    # when it is delivered again (a redelivery after a lost acknowledgement, a second worker)
    again = events.deliver(delivery.pk)
    dispatched = events.dispatch_event(event.pk)
    # then nothing runs a second time
    assert again is events.Outcome.SKIPPED
    assert dispatched == 0
    assert effects(event) == 1


def test_handler_effect_and_done_commit_together(company, subscribe):
    # given a handler that writes, then fails
    def write_then_fail(event: Event) -> None:
        effect(event)
        raise Boom("after writing")

    subscribe("test.half", write_then_fail)
    event = events.publish(PING.name, company=company, n=1)
    # when it is delivered
    outcome = events.deliver(delivery_of(event, "test.half").pk)
    # then its write is rolled back and the delivery waits for a retry
    assert outcome is events.Outcome.FAILED
    assert effects(event) == 0
    delivery = delivery_of(event, "test.half")
    assert (delivery.status, delivery.attempts) == (EventDelivery.Status.PENDING, 1)
    assert "after writing" in delivery.last_error


def test_delivery_of_an_unsubscribed_handler_fails_instead_of_vanishing(company, subscribe):
    subscribe("test.gone", effect)
    event = events.publish(PING.name, company=company, n=1)
    events.unsubscribe(PING.name, "test.gone")
    assert events.deliver(delivery_of(event, "test.gone").pk) is events.Outcome.FAILED
    assert "No handler named test.gone" in delivery_of(event, "test.gone").last_error


# Dead letters and replay -------------------------------------------------------------------


def kill_delivery(event: Event, handler: str, clock: time_machine.Coordinates, attempts: int) -> EventDelivery:
    for _ in range(attempts):
        deliver_events()
        delivery = delivery_of(event, handler)
        if delivery.status == EventDelivery.Status.DEAD:
            return delivery
        clock.move_to(delivery.next_attempt_at)
    return delivery_of(event, handler)


def test_after_max_attempts_the_delivery_is_a_dead_letter_and_replay_runs_it(company, admin, subscribe, settings, caplog):
    # given a handler that fails until its bug is fixed, and three attempts allowed
    settings.EVENTS_MAX_ATTEMPTS = 3
    fixed = False

    def buggy(event: Event) -> None:
        if not fixed:
            raise Boom("bug in handler")
        effect(event)

    subscribe("test.buggy", buggy)
    with time_machine.travel(T0, tick=False) as clock, caplog.at_level(logging.WARNING, logger="spona.core.events"):
        event = events.publish(PING.name, company=company, n=1)
        # when it has failed three times
        delivery = kill_delivery(event, "test.buggy", clock, attempts=3)
        # then it is dead, listed as a dead letter, and each failure was logged on one line
        assert (delivery.status, delivery.attempts) == (EventDelivery.Status.DEAD, 3)
        assert [d.pk for d in selectors.dead_letter_list(user=admin, company=company)] == [delivery.pk]
        failures = [r.getMessage() for r in caplog.records if "test.buggy" in r.getMessage()]
        assert len(failures) == 3
        assert all("\n" not in line for line in failures)
        assert "now a dead letter" in failures[-1]
        clock.shift(timedelta(days=1))
        assert deliver_events() == 0
        # when the bug is fixed and an administrator replays it
        fixed = True
        replayed = services.delivery_replay(actor=admin, company=company, delivery_id=delivery.pk)
        assert (replayed.status, replayed.attempts) == (EventDelivery.Status.PENDING, 0)
        deliver_events()
    # then it ran once, and the replay is in the audit trail
    delivery.refresh_from_db()
    assert delivery.status == EventDelivery.Status.DONE
    assert effects(event) == 1
    assert selectors.dead_letter_list(user=admin, company=company) == []
    entry = AuditEntry.objects.get(action="replayed", target_id=str(delivery.pk))
    assert entry.actor == admin
    assert entry.company_id == company.pk
    assert entry.changes == {"status": ["dead", "pending"], "attempts": [3, 0]}


@pytest.fixture
def dead_letters(company, subscribe, settings) -> list[EventDelivery]:
    """Two dead deliveries of the company's events (one attempt allowed, the handler fails)."""
    settings.EVENTS_MAX_ATTEMPTS = 1

    def broken(event: Event) -> None:
        raise Boom("broken")

    subscribe("test.broken", broken)
    published = [events.publish(PING.name, company=company, n=n) for n in (1, 2)]
    deliver_events()
    return [delivery_of(event, "test.broken") for event in published]


def test_replay_needs_the_manage_events_permission(company, sales, dead_letters):
    with pytest.raises(PermissionDenied):
        services.delivery_replay(actor=sales, company=company, delivery_id=dead_letters[0].pk)
    with pytest.raises(PermissionDenied):
        services.delivery_replay_all(actor=sales, company=company)
    with pytest.raises(PermissionDenied):
        selectors.dead_letter_list(user=sales, company=company)


def test_replay_does_not_reach_another_companys_deliveries(company, other_company, dead_letters):
    # given an administrator of another company
    stranger = member(other_company, "admin")
    # when they replay a delivery of this company's event
    with pytest.raises(NotFound):
        services.delivery_replay(actor=stranger, company=other_company, delivery_id=dead_letters[0].pk)
    # then nothing is replayed, and their lists do not show it
    assert services.delivery_replay_all(actor=stranger, company=other_company) == 0
    assert selectors.dead_letter_list(user=stranger, company=other_company) == []
    assert delivery_of(dead_letters[0].event, "test.broken").status == EventDelivery.Status.DEAD


def test_a_delivery_already_done_cannot_be_replayed(company, admin, subscribe):
    subscribe("test.effect", effect)
    event = events.publish(PING.name, company=company, n=1)
    deliver_events()
    with pytest.raises(StateError):
        services.delivery_replay(actor=admin, company=company, delivery_id=delivery_of(event, "test.effect").pk)
    assert effects(event) == 1


def test_replay_all_replays_every_dead_letter_of_the_company(company, admin, dead_letters):
    # when an administrator replays all dead letters
    count = services.delivery_replay_all(actor=admin, company=company)
    # then each is pending again and audited
    assert count == 2
    assert set(EventDelivery.objects.filter(pk__in=[d.pk for d in dead_letters]).values_list("status", "attempts")) == {
        (EventDelivery.Status.PENDING, 0)
    }
    assert AuditEntry.objects.filter(action="replayed", actor=admin).count() == 2
    assert selectors.dead_letter_list(user=admin, company=company) == []


# Outbox reads ------------------------------------------------------------------------------


def test_outbox_stats_count_pending_retrying_and_dead(company, other_company, admin, subscribe, settings):
    # given one dead delivery, one waiting for a retry and one event not yet delivered
    settings.EVENTS_MAX_ATTEMPTS = 2

    def broken(event: Event) -> None:
        raise Boom("broken")

    subscribe("test.broken", broken)
    with time_machine.travel(T0, tick=False) as clock:
        dead = events.publish(PING.name, company=company, n=1)
        kill_delivery(dead, "test.broken", clock, attempts=2)
        retrying = events.publish(PING.name, company=company, n=2)
        deliver_events()
        events.publish(PING.name, company=company, n=3)
        events.publish(PING.name, company=other_company, n=4)
        clock.shift(timedelta(minutes=10))
        # when an administrator looks at the outbox
        stats = selectors.outbox_stats(user=admin, company=company)
        now = timezone.now()
    # then the counts cover only this company (the new event has one delivery, to the handler: the
    # timeline was written with it), and the age is that of the oldest undelivered event, the one waiting for a retry
    assert stats == {"pending": 1, "retrying": 1, "dead": 1, "oldest_pending_age": now - retrying.occurred_at}


def test_outbox_stats_without_pending_work(company, admin):
    assert selectors.outbox_stats(user=admin, company=company) == {
        "pending": 0,
        "retrying": 0,
        "dead": 0,
        "oldest_pending_age": None,
    }


def test_event_list_pages_newest_first_and_filters_by_name(company, other_company, admin, subscribe):
    # given five events of the company and one of another company
    subscribe("test.effect", effect)
    mine = [events.publish(PING.name, company=company, n=n) for n in range(5)]
    events.publish(PING.name, company=other_company, n=99)
    # when an administrator pages through them two at a time
    seen, cursor = [], None
    for _ in range(5):
        page = selectors.event_list(user=admin, company=company, name=PING.name, cursor=cursor, limit=2)
        seen += [e.pk for e in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # then every event comes once, newest first, and only this company's
    assert seen == [e.pk for e in reversed(mine)]
    assert selectors.event_list(user=admin, company=company, name="test.").items[0].pk == mine[-1].pk
    assert selectors.event_list(user=admin, company=company, name="sales.").items == []


def test_event_list_refuses_a_bad_cursor_and_users_without_permission(company, admin, sales):
    with pytest.raises(ValidationFailed):
        selectors.event_list(user=admin, company=company, cursor="not-a-cursor")
    with pytest.raises(PermissionDenied):
        selectors.event_list(user=sales, company=company)
    with pytest.raises(PermissionDenied):
        selectors.outbox_stats(user=sales, company=company)


# The delivery checker (the scale-out bench runs it after a load) ----------------------------


def test_delivery_check_finds_undelivered_missing_and_effectless_events(company, other_company, admin, subscribe):
    # given parties registered and their events delivered, and a test.ping with an always-on handler
    subscribe("test.effect", effect)
    parties = [
        services.party_create(
            actor=admin, company=company, data=services.PartyInput(kind="organisation", name=f"Check {n} d.o.o.")
        )
        for n in range(3)
    ]
    ping = events.publish(PING.name, company=company, n=1)
    other_ping = events.publish(PING.name, company=company, n=2)
    deliver_events()
    assert selectors.delivery_check(company=company) == []
    # when one delivery is pending again, one event lost its delivery to an always-on handler,
    # and one party's timeline line is gone
    created = Event.objects.filter(name="core.party_created", party__in=parties).order_by("pk")
    EventDelivery.objects.filter(event=other_ping, handler="test.effect").update(status=EventDelivery.Status.PENDING)
    delivery_of(ping, "test.effect").delete()
    TimelineEntry.objects.filter(event=created[1]).delete()
    # then the check names each problem, for this company only
    assert selectors.delivery_check(company=company) == [
        "1 event deliveries are pending",
        "1 test.ping events have no delivery to test.effect",
        "1 events about a party are missing from its timeline",
    ]
    assert selectors.delivery_check(company=other_company) == []
    # and events before ``since`` are left out
    assert selectors.delivery_check(company=company, since=timezone.now()) == []
