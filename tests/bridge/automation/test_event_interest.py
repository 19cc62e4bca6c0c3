"""Automation is delivered only the events a company automates: an active rule or webhook asks for them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from spona.bridge.automation import services
from spona.bridge.automation.services import webhooks
from spona.core.models import EventDelivery, Party, TimelineEntry
from tests.factories import party

pytestmark = pytest.mark.django_db


def handlers_of(p) -> set[str]:
    return set(EventDelivery.objects.filter(event__party=p).values_list("handler", flat=True))


def test_without_rules_or_webhooks_an_event_needs_no_delivery(company):
    # given a company that automates nothing
    # when a party is registered
    p = party(company, "Nova Trade")
    # then automation gets no delivery of the event (and the timeline, written with it, needs none)
    assert handlers_of(p) == set()
    assert TimelineEntry.objects.filter(party=p).count() == 1


def test_an_active_rule_on_the_event_gets_it_and_a_draft_rule_does_not(company, admin):
    # given a draft rule (not switched on) on party registrations
    data = services.RuleIn(name="Tag", event_name="core.party_created", actions=[{"type": "add_tag", "tag": "New"}])
    rule = services.rule_save(actor=admin, company=company, data=data)
    # when a party is registered, then automation is not asked
    assert handlers_of(party(company, "Before")) == set()
    # given the rule tested and switched on
    services.rule_test(actor=admin, company=company, rule_id=rule.pk)
    services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    # when another party is registered, then the rules handler gets it (and webhooks, which nobody set up, do not)
    assert handlers_of(party(company, "After")) == {"automation.rules"}


def test_a_webhook_gets_only_the_events_it_lists(company, other_company, admin):
    def hook(event_name):
        webhooks.webhook_create(
            actor=admin, company=company, name=event_name, url="https://erp.example/hook", event_types=[event_name]
        )

    # given an active webhook on merges only: a registration is not offered to webhooks
    hook("core.party_merged")
    assert handlers_of(party(company, "Before")) == set()
    # given a second one on registrations: a registration is
    hook("core.party_created")
    assert handlers_of(party(company, "After")) == {"automation.webhooks"}
    # and a registration in a company without webhooks is not
    assert handlers_of(party(other_company, "Elsewhere")) == set()


def test_automation_reads_its_interest_once_per_transaction(company, admin):
    # given a company with an active webhook
    webhooks.webhook_create(
        actor=admin, company=company, name="Parties", url="https://erp.example/hook", event_types=["core.party_created"]
    )
    # when one transaction publishes three events
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        for name in ("A", "B", "C"):
            party(company, name)
    # then the rules and the webhooks were each read once, and each event went to the webhook
    automation_reads = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and "automation_" in q["sql"]
    ]
    assert len(automation_reads) == 2, automation_reads
    assert all(handlers_of(p) == {"automation.webhooks"} for p in Party.objects.filter(company=company, name__in="ABC"))
