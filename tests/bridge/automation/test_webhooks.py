"""Outgoing webhooks against a real HTTP receiver on loopback: signature, retries, disabling, replay, SEC7."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from spona.bridge.automation import http
from spona.bridge.automation.models import Webhook, WebhookDelivery
from spona.bridge.automation.services import webhooks
from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from tests.bridge.automation.receiver import receiver
from tests.factories import deliver_events, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def loopback(settings):
    settings.SPONA_WEBHOOK_ALLOW_LOOPBACK = True


def hook(admin, company, url, **kwargs):
    return webhooks.webhook_create(
        actor=admin, company=company, name="ERP mirror", url=url, event_types=["core.party_created"], **kwargs
    )


def publish_party(company, name, capture):
    """Register a party and deliver its event, running the after-commit sends."""
    with capture(execute=True):
        party(company, name)
        deliver_events()


def test_a_delivery_is_signed_over_timestamp_and_body(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        # given a webhook on party registrations
        webhook = hook(admin, company, rx.url)
        # when a party is registered
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        # then the receiver got one POST whose signature checks with the secret
        assert len(rx.received) == 1
        got = rx.received[0]
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["spona-event"] == "core.party_created"
    fields = dict(part.split("=", 1) for part in headers["spona-signature"].split(","))
    expected = hmac.new(webhook.secret.encode(), fields["t"].encode() + b"." + got["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], expected)
    body = json.loads(got["body"])
    assert (body["event"], body["company"], body["data"]["name"]) == ("core.party_created", "acme", "Nova Trade")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert headers["spona-delivery"] == str(delivery.pk)


def test_a_tampered_body_does_not_match_the_signature():
    signature = http.sign("s3cret", 1700000000, b'{"amount":"10.00"}')
    assert signature != http.sign("s3cret", 1700000000, b'{"amount":"99.00"}')
    assert signature != http.sign("s3cret", 1700000001, b'{"amount":"10.00"}')


def test_failed_attempts_are_retried_with_exponential_backoff(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        # given a receiver that fails twice, then accepts
        rx.answers = [500, 503]
        hook(admin, company, rx.url)
        start = timezone.now()
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500")
        first_wait = delivery.next_attempt_at - start
        # when the sweep runs before the retry is due, nothing is sent
        assert webhooks.send_due() == 0
        # and when it runs after each wait
        second_at = delivery.next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(second_at, tick=False):
            assert webhooks.send_due() == 1
        delivery.refresh_from_db()
        second_wait = delivery.next_attempt_at - second_at
        with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
            assert webhooks.send_due() == 1
        # then the third attempt succeeded and the waits doubled
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, len(rx.received)) == ("succeeded", 3, 3)
    assert timedelta(seconds=29) < first_wait <= timedelta(seconds=31)
    assert second_wait == timedelta(seconds=60)
    assert Webhook.objects.get().consecutive_failures == 0


def test_a_delivery_fails_for_good_after_the_last_attempt(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        rx.answers = [500] * webhooks.MAX_ATTEMPTS
        hook(admin, company, rx.url, disable_after=100)
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        for _ in range(webhooks.MAX_ATTEMPTS - 1):
            delivery = WebhookDelivery.objects.get()
            with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
                webhooks.send_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", webhooks.MAX_ATTEMPTS, None)


def test_the_webhook_switches_itself_off_after_consecutive_failures(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        # given a webhook that gives up after 3 failed attempts, and a receiver that always fails
        rx.answers = [500] * 10
        webhook = hook(admin, company, rx.url, disable_after=3)
        # when three parties are registered
        for name in ("A", "B", "C"):
            publish_party(company, name, django_capture_on_commit_callbacks)
        # then the webhook is off with a reason, and a fourth event is not even queued
        webhook.refresh_from_db()
        assert (webhook.is_active, webhook.consecutive_failures) == (False, 3)
        assert "3 failed attempts" in webhook.disabled_reason
        publish_party(company, "D", django_capture_on_commit_callbacks)
        assert WebhookDelivery.objects.count() == 3 and len(rx.received) == 3
        # and switching it on again starts a fresh count
        webhooks.webhook_update(
            actor=admin,
            company=company,
            webhook_id=webhook.pk,
            name=webhook.name,
            url=webhook.url,
            event_types=webhook.event_types,
            disable_after=3,
            is_active=True,
        )
        webhook.refresh_from_db()
        assert (webhook.is_active, webhook.consecutive_failures, webhook.disabled_reason) == (True, 0, "")


def test_replay_sends_the_same_body_again_with_a_fresh_signature(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        hook(admin, company, rx.url)
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        original = WebhookDelivery.objects.get()
        # when an admin replays the delivery
        with time_machine.travel(timezone.now() + timedelta(seconds=5)), django_capture_on_commit_callbacks(execute=True):
            replay = webhooks.delivery_replay(actor=admin, company=company, delivery_id=original.pk)
        # then the receiver got the same body twice, signed at two different times
        assert len(rx.received) == 2
        assert rx.received[0]["body"] == rx.received[1]["body"]
        assert rx.received[0]["headers"]["Spona-Signature"] != rx.received[1]["headers"]["Spona-Signature"]
    replay.refresh_from_db()
    assert (replay.status, replay.replay_of_id, replay.event_id) == ("succeeded", original.pk, original.event_id)


def test_replay_needs_an_active_webhook_and_an_admin(loopback, company, admin, sales, django_capture_on_commit_callbacks):
    with receiver() as rx:
        webhook = hook(admin, company, rx.url)
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(PermissionDenied):
        webhooks.delivery_replay(actor=sales, company=company, delivery_id=delivery.pk)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
    with pytest.raises(StateError):
        webhooks.delivery_replay(actor=admin, company=company, delivery_id=delivery.pk)


def test_a_redirect_is_not_followed(loopback, company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        # given a receiver that redirects to the cloud metadata address
        rx.answers = [302]
        rx.redirect_to = "http://169.254.169.254/latest/meta-data/"
        hook(admin, company, rx.url)
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        # then it was asked once, and the redirect counts as a failure
        assert len(rx.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 302, "HTTP 302")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://user:pass@example.com/hook",
        "gopher://example.com/",
    ],
)
def test_sec7_private_loopback_and_odd_addresses_are_refused(company, admin, url):
    # given loopback not allowed (the default)
    # when an admin subscribes such an address
    with pytest.raises(ValidationFailed) as refused:
        hook(admin, company, url)
    # then it is refused on the address field
    assert "url" in refused.value.field_errors


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"])
def test_sec7_a_host_name_resolving_inside_is_refused_before_connecting(address, monkeypatch):
    # given a public-looking name whose DNS answer is an internal address (DNS rebinding)
    monkeypatch.setattr(http.socket, "getaddrinfo", lambda *a, **k: [(None, None, None, "", (address, 80))])
    # when / then sending refuses before any connection
    with pytest.raises(http.UnsafeTarget):
        http.post(url="http://hooks.example.com/x", body=b"{}", secret="s", headers={})


def test_sec7_loopback_is_refused_at_sending_time_when_no_longer_allowed(
    settings, company, admin, django_capture_on_commit_callbacks
):
    with receiver() as rx:
        # given a loopback webhook made while loopback was allowed
        settings.SPONA_WEBHOOK_ALLOW_LOOPBACK = True
        hook(admin, company, rx.url)
        settings.SPONA_WEBHOOK_ALLOW_LOOPBACK = False
        # when an event is sent
        publish_party(company, "Nova Trade", django_capture_on_commit_callbacks)
        # then nothing reached the receiver and the refusal is logged
        assert rx.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error.startswith("Refused:") and delivery.last_status_code is None


def test_unknown_events_and_other_roles_are_refused(loopback, company, admin, sales):
    with pytest.raises(ValidationFailed) as refused:
        webhooks.webhook_create(actor=admin, company=company, name="x", url="https://example.com/h", event_types=["nope.nothing"])
    assert "event_types" in refused.value.field_errors
    with pytest.raises(PermissionDenied):
        webhooks.webhook_create(
            actor=sales, company=company, name="x", url="https://example.com/h", event_types=["core.party_created"]
        )


def test_events_of_another_company_are_not_sent(loopback, company, other_company, admin, django_capture_on_commit_callbacks):
    with receiver() as rx:
        hook(admin, company, rx.url)
        publish_party(other_company, "Globex Customer", django_capture_on_commit_callbacks)
        assert rx.received == []
    assert not WebhookDelivery.objects.exists()
