"""The CRM part of the demo company: a pipeline, leads in every state, deals across stages, the sales user's day."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from django.utils import timezone

from spona.core import demo, services
from spona.core.models import TimelineEntry
from spona.front.crm import selectors
from spona.front.crm.models import Activity, AssignmentRule, Lead, Opportunity, SalesTarget
from tests.factories import deliver_events


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # A dozen Argon2 hashes per build cost seconds; the hash algorithm is not what this test checks.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_step_fills_the_pipeline_and_my_day(db):
    # given the kernel's demo steps (users, a few parties), then the CRM step, as demo.build runs them
    company = services.company_create(actor=None, name="Demo", code="demo", base_currency="EUR", country="RS")
    ctx = demo.DemoContext(company=company, users={}, rng=random.Random(demo.SEED), organisations=30, persons=5)
    for step in demo.steps():
        if step.name.startswith("core.") or step.name == "crm.sales":
            step.func(replace(ctx, rng=random.Random(f"{demo.SEED}:{step.name}")))
    deliver_events()
    # then there are 60 leads in every state, 40 deals plus the qualified leads' across stages, some won and lost
    leads = Lead.objects.filter(company=company)
    assert leads.count() == 60
    assert set(leads.values_list("status", flat=True)) == set(Lead.Status.values)
    opps = Opportunity.objects.filter(company=company)
    assert opps.count() == 40 + leads.filter(status="qualified").count()
    assert {"open", "won", "lost"} <= set(opps.values_list("status", flat=True))
    assert opps.filter(status="open").values("stage").distinct().count() >= 3
    # and the sales user has overdue work and work due today; a team assigns leads by rules
    seller = ctx.users["sales"]
    day = selectors.my_day(user=seller, company=company)
    assert day.overdue and Activity.objects.filter(company=company, done=True).exists()
    assert AssignmentRule.objects.filter(company=company).count() == 2
    assert leads.filter(owner__isnull=False, team__isnull=False).count() == 60
    # and the won deals are on their parties' timelines
    assert TimelineEntry.objects.filter(company=company, title__contains=" won: ").exists()


def test_the_extras_step_sets_targets_reminders_and_mail_leads(db):
    # given the kernel's steps, the CRM step and then the CRM extras, as demo.build runs them
    company = services.company_create(actor=None, name="Demo", code="demo", base_currency="EUR", country="RS")
    ctx = demo.DemoContext(company=company, users={}, rng=random.Random(demo.SEED), organisations=30, persons=5)
    for step in demo.steps():
        if step.name.startswith("core.") or step.name in ("crm.sales", "crm.extras"):
            step.func(replace(ctx, rng=random.Random(f"{demo.SEED}:{step.name}")))
    # then the team has this and last quarter's targets, the salesperson six months'
    assert SalesTarget.objects.filter(company=company, team__isnull=False, period="quarter").count() == 2
    assert SalesTarget.objects.filter(company=company, owner=ctx.users["sales"], period="month").count() == 6
    # and coming activities carry reminders before they are due; three leads came by e-mail
    reminded = Activity.objects.filter(company=company, remind_at__isnull=False)
    assert reminded.count() == 4 and all(a.remind_at < a.due_at for a in reminded)
    assert Lead.objects.filter(company=company, source="email", message_id__startswith="<demo-lead-").count() == 3
    board = selectors.dashboard(
        user=ctx.users["management"], company=company, period=selectors.period_parse("", timezone.localdate())
    )
    assert board.target > 0 and board.won > 0
