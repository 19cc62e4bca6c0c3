from __future__ import annotations

import random

import pytest

from spona.bridge.automation.demo import build_automation
from spona.bridge.automation.models import ApprovalPolicy, Rule, Webhook
from spona.core.demo import DemoContext
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_demo_step_adds_policies_a_parked_webhook_and_switched_off_examples(company):
    # given the demo users
    users = {role: member(company, role) for role in ("admin", "management", "finance")}
    ctx = DemoContext(company=company, users=users, rng=random.Random(7), organisations=0, persons=0)
    # when the automation step runs
    build_automation(ctx)
    # then two policies, one webhook switched off and the example rules, all off
    assert sorted(ApprovalPolicy.objects.values_list("kind", flat=True)) == ["purchasing.order", "sales.discount"]
    assert list(Webhook.objects.values_list("is_active", flat=True)) == [False]
    assert Rule.objects.count() == len(ctx.records["automation.rules"]) >= 3
    assert not Rule.objects.filter(is_active=True).exists()
