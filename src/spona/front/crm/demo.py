"""The demo company's sales: a pipeline, leads in every state, opportunities across the stages,
the sales user's activities (some overdue, some due today) and a team with assignment rules;
then (a later step) sales targets, reminders on the coming activities and leads from e-mail.

Registered as a demo step (see ``spona.core.demo``); everything goes through the CRM services,
so scores, assignments, audit rows and timelines are what real use would produce.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from spona.core.demo import DemoContext, register_step
from spona.core.models import Party
from spona.front.crm import services
from spona.front.crm.models import Activity, AssignmentRule, Lead, Stage, Team
from spona.front.crm.services.targets import period_start

LEADS = 60
OPPORTUNITIES = 40
SOURCES = [s for s in Lead.Source.values if s != Lead.Source.API]
FIRST = ("Ana", "Marko", "Jovana", "Luka", "Milica", "Nikola", "Teodora", "Stefan", "Katarina", "Uroš")
LAST = ("Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Pavlović")
FIRMS = ("Alfa", "Beta", "Delta", "Sigma", "Omega", "Nova", "Terra", "Astra", "Vega", "Orion")
KINDS = ("Systems", "Logistics", "Trade", "Foods", "Energy", "Solutions")
# Demo mail must never reach a real mailbox.
DOMAINS = ("mail.example", "firma-rs.example", "handel-de.example")
SUBJECTS = ("Follow-up call", "Send the price list", "Demo meeting", "Contract questions", "Check the offer")
LOST_REASONS = ("Price too high", "Chose a competitor", "Project postponed")


def build_crm(ctx: DemoContext) -> None:
    rng, company = ctx.rng, ctx.company
    seller, manager = ctx.users["sales"], ctx.users["management"]
    team = services.team_create(
        actor=manager, company=company, name="Domestic sales", member_ids=[seller.pk, manager.pk], leader_id=manager.pk,
        countries="RS, ME, BA",
    )  # fmt: skip
    services.rule_create(
        actor=manager, company=company, name="Serbia and neighbours", method=AssignmentRule.Method.TERRITORY, team_id=team.pk
    )
    services.rule_create(
        actor=manager,
        company=company,
        name="Everyone else in turn",
        method=AssignmentRule.Method.ROUND_ROBIN,
        team_id=team.pk,
        sequence=20,
    )
    organisations = ctx.records.get("organisations") or list(
        Party.objects.filter(company=company, kind=Party.Kind.ORGANISATION).values_list("pk", flat=True)[:50]
    )
    names = dict(Party.objects.filter(pk__in=organisations).values_list("pk", "name"))
    lead_ids = []
    for i in ctx.track(range(LEADS), "CRM leads"):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        state = (i % 10) / 10  # 2 in 10 contacted, 1 disqualified, 1 qualified, the rest new
        # Qualified leads are existing customers' new needs: the demo's party registry stays as the kernel built it.
        existing = rng.choice(organisations) if 0.3 <= state < 0.4 and organisations else None
        if existing:
            contact_name, company_name = "", names[existing]
        else:
            contact_name = f"{first} {last}"
            company_name = f"{rng.choice(FIRMS)} {rng.choice(KINDS)} {i + 1}" if rng.random() < 0.8 else ""
        lead = services.lead_create(
            actor=seller,
            company=company,
            data=services.LeadInput(
                contact_name=contact_name,
                company_name=company_name,
                email=f"lead{i + 1}@{rng.choice(DOMAINS)}",
                country=rng.choice(("RS", "RS", "DE", "HR")),
                source=rng.choice(SOURCES),
                notes="Asked for a call back." if rng.random() < 0.3 else "",
            ),
        )
        lead_ids.append(lead.pk)
        if state < 0.2:
            services.lead_set_status(actor=seller, company=company, lead_id=lead.pk, status=Lead.Status.CONTACTED)
        elif state < 0.3:
            services.lead_set_status(
                actor=seller, company=company, lead_id=lead.pk, status=Lead.Status.DISQUALIFIED, reason="No budget"
            )
        elif existing:
            services.lead_qualify(
                actor=seller,
                company=company,
                lead_id=lead.pk,
                organisation_id=existing,
                expected_revenue=Decimal(rng.randrange(20, 200) * 100),
            )
    pipeline = services.pipeline_default(company=company)
    open_stages = list(Stage.objects.filter(pipeline=pipeline, is_won=False, is_lost=False))
    today = timezone.localdate()
    opp_ids = []
    for i in ctx.track(range(OPPORTUNITIES), "CRM opportunities"):
        opp = services.opportunity_create(
            actor=seller,
            company=company,
            data=services.OpportunityInput(
                title=f"Deal {i + 1}: {rng.choice(('Scanners', 'Support contract', 'Training', 'Rollout', 'Licences'))}",
                party_id=rng.choice(organisations),
                owner_id=rng.choice((seller.pk, seller.pk, manager.pk)),
                team_id=team.pk,
                expected_revenue=Decimal(rng.randrange(10, 500) * 100),
                close_date=today + dt.timedelta(days=rng.randrange(-10, 120)),
            ),
        )
        opp_ids.append(opp.pk)
        fate = (i % 8) / 8  # 1 in 8 won, 1 in 8 lost, the rest spread over the open stages
        if fate < 0.125:
            services.opportunity_win(actor=seller, company=company, opportunity_id=opp.pk)
        elif fate < 0.25:
            services.opportunity_lose(actor=seller, company=company, opportunity_id=opp.pk, reason=rng.choice(LOST_REASONS))
        else:
            stage = rng.choice(open_stages)
            if stage.pk != opp.stage_id:
                services.opportunity_move(actor=seller, company=company, opportunity_id=opp.pk, stage_id=stage.pk)
    now = timezone.now()
    for i in range(16):
        # Half are due today or were due in the past days, so "My day" has overdue and today's work.
        due = now + dt.timedelta(hours=rng.randrange(-96, 6)) if i % 2 == 0 else now + dt.timedelta(days=rng.randrange(1, 14))
        activity = services.activity_create(
            actor=seller,
            company=company,
            kind=rng.choice(("call", "meeting", "email", "task")),
            subject=rng.choice(SUBJECTS),
            due_at=due,
            opportunity_id=rng.choice(opp_ids) if i % 3 else None,
            lead_id=rng.choice(lead_ids) if i % 3 == 0 else None,
        )
        if i % 5 == 4:
            services.activity_done(actor=seller, company=company, activity_id=activity.pk)
    ctx.records["crm_opportunities"] = opp_ids


register_step("crm.sales", build_crm, order=150)


def _mail(i: int, name: str, address: str, subject: str, body: str) -> bytes:
    return (
        f"From: {name} <{address}>\nTo: leads@demo.example\nSubject: {subject}\nMessage-ID: <demo-lead-{i}@demo.example>\n"
        f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


MAIL_LEADS = (
    ("Vesna Kostić", "Offer for 40 hand scanners", "Could you send an offer for 40 hand scanners, delivery in March?"),
    ("Goran Simić", "Support contract", "We would like to hear about your yearly support contract."),
    ("Ivana Lukić", "Training for our warehouse staff", "Do you offer on-site training? We are 12 people."),
)


def build_crm_extras(ctx: DemoContext) -> None:
    """Targets for this and the last quarter (team and salesperson), reminders and a few leads by e-mail."""
    rng, company = ctx.rng, ctx.company
    seller, manager = ctx.users["sales"], ctx.users["management"]
    team = Team.objects.filter(company=company).order_by("pk").first()
    this_quarter = period_start("quarter", timezone.localdate())
    last_quarter = period_start("quarter", this_quarter - dt.timedelta(days=1))
    for start in (last_quarter, this_quarter):
        if team is not None:
            services.target_set(
                actor=manager, company=company, period="quarter", start=start, amount=Decimal(rng.randrange(40, 60) * 5000),
                team_id=team.pk,
            )  # fmt: skip
        month = start
        for _ in range(3):
            services.target_set(
                actor=manager, company=company, period="month", start=month, amount=Decimal(rng.randrange(30, 50) * 1000),
                owner_id=seller.pk,
            )  # fmt: skip
            month = (month + dt.timedelta(days=32)).replace(day=1)
    later = timezone.now() + dt.timedelta(days=1)
    coming = Activity.objects.filter(company=company, owner=seller, done=False, due_at__gt=later).order_by("due_at", "pk")
    for i, activity in enumerate(coming[:4]):
        # Reminders as a salesperson sets them: a quarter of an hour to a day before.
        services.activity_set_reminder(
            actor=seller,
            company=company,
            activity_id=activity.pk,
            remind_at=activity.due_at - dt.timedelta(minutes=(15, 60, 240, 1440)[i]),
        )
    for i, (name, subject, body) in enumerate(MAIL_LEADS, start=1):
        address = f"{name.split()[0].lower()}@{rng.choice(DOMAINS)}"
        services.lead_from_email(company=company, message=_mail(i, name, address, subject, body))


register_step("crm.extras", build_crm_extras, order=520)
