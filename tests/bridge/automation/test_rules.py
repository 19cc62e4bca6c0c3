"""Automation rules: triggers (event, time), every action, dry run before activation, loop protection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from spona.bridge.automation import services
from spona.bridge.automation.models import ApprovalRequest, Rule, RuleRun, WebhookDelivery
from spona.bridge.automation.services import webhooks
from spona.bridge.notifications.models import Notification
from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from spona.core.models import Party
from spona.front.crm import services as crm
from spona.front.crm.models import Activity, Opportunity
from tests.bridge.automation.receiver import receiver
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import opportunity

pytestmark = pytest.mark.django_db


def active_rule(admin, company, **fields):
    """Save, dry-run and switch on a rule, as an admin does in the builder."""
    rule = services.rule_save(actor=admin, company=company, data=services.RuleIn(**fields))
    services.rule_test(actor=admin, company=company, rule_id=rule.pk)
    return services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)


def tags_of(p):
    return sorted(Party.objects.get(pk=p.pk).tags.values_list("name", flat=True))


def test_event_trigger_with_a_condition_tags_the_party(company, admin):
    # given: a new party whose name contains "Bank" is tagged Finance sector
    active_rule(
        admin,
        company,
        name="Banks",
        event_name="core.party_created",
        condition={"field": "event.name", "op": "contains", "value": "bank"},
        actions=[{"type": "add_tag", "tag": "Finance sector"}],
    )
    # when two parties are registered and the events delivered
    bank = party(company, "Alpine Bank AG")
    shop = party(company, "Corner Shop")
    deliver_events()
    # then only the bank is tagged, and both runs are logged with their outcome
    assert tags_of(bank) == ["Finance sector"] and tags_of(shop) == []
    assert sorted(RuleRun.objects.values_list("outcome", flat=True)) == ["done", "dry_run", "not_matched"]


def test_won_opportunity_plans_onboarding_for_support(company, admin, sales):
    # given the shipped example, tested and switched on, and a support agent
    agent = member(company, "support", full_name="Sanja Support")
    rule = next(r for r in services.examples_install(actor=admin, company=company) if r.event_name == "crm.opportunity_won")
    services.rule_test(actor=admin, company=company, rule_id=rule.pk)
    services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    # when sales wins a deal
    customer = party(company, "Nova Trade")
    opp = opportunity(company, sales, customer, title="Scanners")
    crm.opportunity_win(actor=sales, company=company, opportunity_id=opp.pk)
    deliver_events()
    # then support has an onboarding task on the opportunity
    task = Activity.objects.get(owner=agent)
    assert (task.kind, task.subject, task.opportunity_id) == ("task", "Onboard Nova Trade: Scanners", opp.pk)


def test_time_trigger_acts_once_per_record_after_the_offset(company, admin):
    # given: parties registered 10 days ago without tags get a follow-up tag
    active_rule(
        admin,
        company,
        name="Dormant",
        trigger="time",
        record_type="core.party",
        date_field="created_at",
        offset_days=10,
        condition={"field": "record.tags", "op": "is_empty"},
        actions=[{"type": "add_tag", "tag": "Dormant"}],
    )
    quiet = party(company, "Quiet Ltd")
    today = timezone.localdate()
    # when the schedule looks after 9 days, then after 10, then again
    assert services.run_time_rules(today + dt.timedelta(days=9)) == 0
    assert services.run_time_rules(today + dt.timedelta(days=10)) == 1
    assert services.run_time_rules(today + dt.timedelta(days=11)) == 0
    # then the record was acted on once
    assert tags_of(quiet) == ["Dormant"]
    assert RuleRun.objects.filter(outcome="done", record_id=quiet.pk).count() == 1


def test_send_email_goes_out_after_commit_and_notify_makes_a_notification(company, admin, django_capture_on_commit_callbacks):
    cfo = member(company, "finance", email="cfo@acme.test")
    active_rule(
        admin,
        company,
        name="New party mail",
        event_name="core.party_created",
        actions=[
            {"type": "send_email", "to": "role:finance", "subject": "New party {event.name}", "body": "Check {record.name}."},
            {"type": "notify", "to": f"user:{cfo.pk}", "message": "Party #{event.party_id} registered."},
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        p = party(company, "Nova Trade")
        deliver_events()
    # the e-mail goes out after commit; the notification waits under the CFO's bell (and for the daily digest)
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [("New party Nova Trade", [cfo.email], "Check Nova Trade.")]
    assert list(Notification.objects.values_list("recipient_id", "kind", "title", "body", "email")) == [
        (cfo.pk, "automation", "New party mail", f"Party #{p.pk} registered.", "digest")
    ]


def test_call_webhook_posts_the_values_to_the_receiver(settings, company, admin, django_capture_on_commit_callbacks):
    settings.SPONA_WEBHOOK_ALLOW_LOOPBACK = True
    with receiver() as rx:
        hook = webhooks.webhook_create(actor=admin, company=company, name="CRM", url=rx.url, event_types=["crm.activity_done"])
        active_rule(
            admin,
            company,
            name="Push",
            event_name="core.party_created",
            actions=[{"type": "call_webhook", "webhook_id": hook.pk}],
        )
        with django_capture_on_commit_callbacks(execute=True):
            party(company, "Nova Trade")
            deliver_events()
        assert len(rx.received) == 1
        assert b'"rule":"Push"' in rx.received[0]["body"] and b"Nova Trade" in rx.received[0]["body"]
    assert WebhookDelivery.objects.get().event_name == "automation.rule"


def test_start_approval_and_set_field_act_on_the_opportunity(company, admin, sales):
    # given: big deals go to approval and move to Proposal
    active_rule(
        admin,
        company,
        name="Big deals",
        event_name="crm.opportunity_created",
        condition={"field": "record.expected_revenue", "op": "gte", "value": "50000"},
        actions=[
            {"type": "start_approval", "kind": "crm.big_deal", "subject": "Big deal {record.title}"},
            {"type": "set_field", "field": "stage", "value": "Proposal"},
        ],
    )
    # when a large and a small opportunity are opened
    big = opportunity(company, sales, party(company, "Mega Corp"), revenue="80000.00", title="Fleet")
    opportunity(company, sales, party(company, "Tiny"), revenue="100.00", title="Pens")
    deliver_events()
    # then the big one waits for management's approval with its amount, and sits in Proposal
    request = ApprovalRequest.objects.get()
    assert (request.record_type, request.record_id, request.amount, request.subject) == (
        "crm.opportunity",
        big.pk,
        Decimal("80000.00"),
        "Big deal Fleet",
    )
    assert Opportunity.objects.get(pk=big.pk).stage.name == "Proposal"


def test_a_failing_action_undoes_the_rules_other_actions(company, admin, sales):
    # given a rule whose second action cannot work (there is no stage "Nowhere")
    active_rule(
        admin,
        company,
        name="Broken",
        event_name="crm.opportunity_created",
        actions=[{"type": "add_tag", "tag": "Seen"}, {"type": "set_field", "field": "stage", "value": "Nowhere"}],
    )
    # when an opportunity is opened
    customer = party(company, "Nova Trade")
    opportunity(company, sales, customer)
    delivered = deliver_events()
    # then the run failed with the reason, the tag did not stay, and the outbox delivery itself succeeded
    run = RuleRun.objects.get(outcome="failed")
    assert run.error == "No stage named 'Nowhere'."
    assert tags_of(customer) == []
    assert delivered >= 1


def test_a_rule_that_triggers_itself_is_stopped(company, admin):
    # given a rule that plans a task whenever a task is planned (a loop)
    active_rule(
        admin,
        company,
        name="Echo",
        event_name="crm.activity_created",
        actions=[{"type": "create_task", "subject": "Echo of {event.subject}", "assignee": f"user:{admin.pk}"}],
    )
    # when one task is planned and every event delivered
    crm.activity_create(actor=admin, company=company, kind="call", subject="Call Nova", due_at=timezone.now())
    for _ in range(5):
        deliver_events()
    # then the rule ran once, its own event was stopped as a loop
    assert sorted(Activity.objects.values_list("subject", flat=True)) == ["Call Nova", "Echo of Call Nova"]
    assert sorted(RuleRun.objects.exclude(outcome="dry_run").values_list("outcome", flat=True)) == ["done", "loop_blocked"]


def test_a_rule_is_switched_on_only_after_a_dry_run_of_its_current_version(company, admin):
    # given a saved rule
    rule = services.rule_save(
        actor=admin,
        company=company,
        data=services.RuleIn(name="VIP", event_name="core.party_created", actions=[{"type": "add_tag", "tag": "VIP"}]),
    )
    # when it is switched on untested, it is refused
    with pytest.raises(StateError):
        services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    # and a dry run against a sample record changes nothing but says what would happen
    sample = party(company, "Sample Ltd")
    result = services.rule_test(actor=admin, company=company, rule_id=rule.pk, record_id=sample.pk)
    assert result.matched and result.record_found
    assert result.steps[-1] == f"Would tag party #{sample.pk} with 'VIP'."
    assert tags_of(sample) == []
    services.rule_activate(actor=admin, company=company, rule_id=rule.pk, active=True)
    # and editing it switches it off until it is tested again
    rule = services.rule_save(
        actor=admin,
        company=company,
        rule_id=rule.pk,
        data=services.RuleIn(name="VIP!", event_name="core.party_created", actions=[{"type": "add_tag", "tag": "VIP"}]),
    )
    assert not rule.is_active and not rule.is_tested()


def test_invalid_rules_are_refused_with_every_problem(company, other_company, admin, sales):
    foreign = webhooks.webhook_create(
        actor=member(other_company, "admin"),
        company=other_company,
        name="Theirs",
        url="https://example.com/h",
        event_types=["core.party_created"],
    )
    with pytest.raises(ValidationFailed) as refused:
        services.rule_save(
            actor=admin,
            company=company,
            data=services.RuleIn(
                name="",
                event_name="core.party_created",
                condition={"field": "record.salary", "op": "gt", "value": 1},
                actions=[{"type": "call_webhook", "webhook_id": foreign.pk}, {"type": "run_python", "code": "1"}],
            ),
        )
    errors = refused.value.field_errors
    assert set(errors) == {"name", "condition", "actions"}
    assert len(errors["actions"]) == 2
    with pytest.raises(ValidationFailed) as no_trigger:
        services.rule_save(actor=admin, company=company, data=services.RuleIn(name="x", event_name="nope", actions=[]))
    assert set(no_trigger.value.field_errors) == {"event_name", "actions"}
    with pytest.raises(PermissionDenied):
        services.rule_save(
            actor=sales, company=company, data=services.RuleIn(name="x", event_name="core.party_created", actions=[])
        )


def test_examples_are_installed_once_and_switched_off(company, admin):
    first = services.examples_install(actor=admin, company=company)
    again = services.examples_install(actor=admin, company=company)
    assert len(first) >= 3 and again == []
    assert not Rule.objects.filter(is_active=True).exists()
    assert {r.example_key for r in first} >= {"won_opportunity_onboarding", "overdue_invoice_task", "invoice_30_days_overdue"}
