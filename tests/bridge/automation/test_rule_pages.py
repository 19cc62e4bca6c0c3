from __future__ import annotations

import pytest
from django.urls import reverse

from spona.bridge.automation import services
from spona.bridge.automation.models import Rule, Webhook, WebhookDelivery
from tests.factories import party

pytestmark = pytest.mark.django_db


def test_an_admin_builds_a_rule_with_condition_and_action_rows(client, company, admin):
    # given the admin in the rule builder
    client.force_login(admin)
    assert client.get(reverse("automation:rule_create")).status_code == 200
    # when they fill one condition row and one action row
    response = client.post(
        reverse("automation:rule_create"),
        {
            "name": "Banks get a tag",
            "trigger": "event",
            "event_name": "core.party_created",
            "offset_days": "0",
            "match": "all",
            "c1_field": "event.name",
            "c1_op": "contains",
            "c1_value": "Bank",
            "a1_type": "add_tag",
            "a1_text": "Finance sector",
        },
    )
    # then the rule is saved switched off, with the tree and action the rows describe
    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("automation:rule_detail", args=[rule.pk])
    assert rule.condition == {"all": [{"field": "event.name", "op": "contains", "value": "Bank"}]}
    assert rule.actions == [{"type": "add_tag", "tag": "Finance sector"}]
    assert not rule.is_active
    # and the edit form shows the rows again
    edit = client.get(reverse("automation:rule_edit", args=[rule.pk])).content.decode()
    assert 'value="Bank"' in edit and 'value="Finance sector"' in edit


def test_the_builder_shows_service_errors_on_the_rows(client, company, admin):
    client.force_login(admin)
    response = client.post(
        reverse("automation:rule_create"),
        {
            "name": "x",
            "trigger": "event",
            "event_name": "core.party_created",
            "match": "all",
            "c1_field": "record.title",
            "c1_op": "eq",
        },
    )
    assert response.status_code == 200
    assert b"unknown field record.title" in response.content and b"Add at least one action." in response.content
    assert not Rule.objects.exists()


def test_test_then_switch_on_from_the_rule_page(client, company, admin):
    rule = services.rule_save(
        actor=admin,
        company=company,
        data=services.RuleIn(name="VIP", event_name="core.party_created", actions=[{"type": "add_tag", "tag": "VIP"}]),
    )
    sample = party(company, "Sample Ltd")
    client.force_login(admin)
    # when switching on untested, the page says why
    client.post(reverse("automation:rule_activate", args=[rule.pk]), {"active": "1"})
    assert not Rule.objects.get(pk=rule.pk).is_active
    # when the admin tests it against a sample party
    page = client.post(reverse("automation:rule_detail", args=[rule.pk]), {"record_id": sample.pk, "payload": ""})
    assert f"Would tag party #{sample.pk} with &#x27;VIP&#x27;.".encode() in page.content
    # then it can be switched on
    client.post(reverse("automation:rule_activate", args=[rule.pk]), {"active": "1"})
    assert Rule.objects.get(pk=rule.pk).is_active


def test_the_rule_list_adds_the_examples(client, company, admin, django_assert_max_num_queries):
    client.force_login(admin)
    client.post(reverse("automation:rule_examples"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("automation:rule_list"))
    assert response.content.decode().count("example</span>") == Rule.objects.count() >= 3


def test_webhook_pages_create_show_the_secret_and_replay(client, company, admin):
    client.force_login(admin)
    response = client.post(
        reverse("automation:webhook_create"),
        {
            "name": "Mirror",
            "url": "https://hooks.example.com/in",
            "event_types": ["core.party_created"],
            "disable_after": "5",
            "is_active": "on",
        },
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.create(webhook=webhook, event_name="core.party_created", body="{}", status="failed")
    detail = client.get(reverse("automation:webhook_detail", args=[webhook.pk]))
    assert webhook.secret.encode() in detail.content
    client.post(reverse("automation:delivery_replay", args=[delivery.pk]))
    assert WebhookDelivery.objects.filter(replay_of=delivery).count() == 1


def test_a_private_address_is_refused_in_the_form(client, company, admin):
    client.force_login(admin)
    response = client.post(
        reverse("automation:webhook_create"),
        {"name": "Metadata", "url": "http://169.254.169.254/", "event_types": ["core.party_created"], "disable_after": "5"},
    )
    assert response.status_code == 200 and b"is not a public address" in response.content
    assert not Webhook.objects.exists()
