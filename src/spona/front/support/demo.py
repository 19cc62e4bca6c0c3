"""The demo company's support desk: two queues, a business calendar with holidays, SLA policies,
macros, about forty tickets across every state with threads (some breached, some waiting on the
customer), knowledge-base articles and satisfaction answers; and three live chats.

Registered as a demo step (order 600). Each ticket is opened through the services, then its
opening time is moved up to twelve days into the past together with its SLA due times, so that
the queue shows a realistic mix of tickets on track, due soon and breached.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from spona.core.demo import DemoContext, register_step
from spona.core.models import Party, User
from spona.core.services import user_create
from spona.front.support import services
from spona.front.support.models import ChatSession, Message, Satisfaction, Ticket

TICKETS = 40
SUBJECTS = (
    "Invoice amount looks wrong",
    "Delivery arrived damaged",
    "Cannot log in to the portal",
    "Need a copy of the contract",
    "Printer driver does not install",
    "Wrong item in the package",
    "Change our billing address",
    "Order still not shipped",
    "Request for a credit note",
    "Scanner shows error E42",
    "How do I export my invoices?",
    "Payment reminder by mistake",
)
REPLIES = ("Thank you, we are looking into it.", "Could you send us the order number?", "We have fixed it; please check.")
ARTICLES = (
    ("How to export your invoices", "Open **Invoices**, choose the period and press *Export*.\n\n1. Pick CSV or PDF\n2. Save"),
    ("Resetting your portal password", "Use *Forgot password* on the login page. The link works for **one hour**."),
    ("Returning a damaged delivery", "Photograph the damage, then open a ticket with the order number."),
    ("Scanner error E42", "E42 means the paper path is blocked. Open the cover and remove the sheet."),
    ("Internal: refund approval limits", "Refunds above 500 EUR need a manager's approval."),
)
HOLIDAYS = ((1, 1, "New Year"), (1, 7, "Christmas"), (5, 1, "Labour Day"))
HOURS = {str(d): [["08:00", "16:00"]] for d in range(1, 6)}


def _agents(ctx: DemoContext) -> list[User]:
    first = ctx.users["support"]
    second = User.objects.filter(email="support2@demo.spona.test").first() or user_create(
        actor=None, company=ctx.company, email="support2@demo.spona.test", full_name="Milena Ristić", roles=["support"]
    )
    return [first, second]


def build_support(ctx: DemoContext) -> None:
    rng, company = ctx.rng, ctx.company
    agents = _agents(ctx)
    lead = ctx.users["management"]
    today = timezone.localdate()
    calendar = services.calendar_create(
        actor=lead,
        company=company,
        name="Belgrade office",
        time_zone="Europe/Belgrade",
        hours=HOURS,
        holidays=[
            (dt.date(today.year, 1, 1), "New Year"),
            (dt.date(today.year, 1, 7), "Christmas"),
            (dt.date(today.year, 5, 1), "Labour Day"),
        ],
    )
    services.policy_create(
        actor=lead,
        company=company,
        name="VIP: 1 h / 8 h",
        customer_tag="VIP",
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
        calendar_id=calendar.pk,
        sequence=1,
    )
    services.policy_create(
        actor=lead,
        company=company,
        name="Urgent: 30 min / 4 h",
        priority="urgent",
        first_response_minutes=30,
        next_response_minutes=60,
        resolution_minutes=240,
        sequence=2,
    )
    services.policy_create(
        actor=lead,
        company=company,
        name="Standard: 4 h / 3 days",
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=3 * 480,
        calendar_id=calendar.pk,
        sequence=10,
    )
    members = {a.pk: ["english", "serbian"] for a in agents}
    first_line = services.queue_create(
        actor=lead,
        company=company,
        name="First line",
        method="round_robin",
        email="help@demo.spona.test",
        is_default=True,
        members=members,
    )
    billing = services.queue_create(
        actor=lead, company=company, name="Billing", method="load", capacity=15, email="billing@demo.spona.test", members=members
    )
    services.macro_create(
        actor=lead,
        company=company,
        name="Ask for the order number",
        body="Hello {{ customer }},\n\ncould you send us the order number for {{ number }}?\n\n{{ agent }}",
        set_status="pending_customer",
    )
    services.macro_create(
        actor=lead, company=company, name="Solved", body="Glad we could help, {{ customer }}!", set_status="solved"
    )
    category = services.category_create(actor=lead, company=company, name="Getting started")
    for title, body in ARTICLES:
        internal = title.startswith("Internal")
        services.article_create(
            actor=lead,
            company=company,
            title=title,
            body_markdown=body,
            category_id=category.pk,
            is_published=True,
            visibility="internal" if internal else "public",
        )
    organisations = list(Party.objects.filter(pk__in=ctx.records.get("organisations", [])[:30]).order_by("pk"))
    now = timezone.now()
    states = ["new"] * 8 + ["open"] * 10 + ["pending_customer"] * 6 + ["pending_internal"] * 3 + ["solved"] * 8 + ["closed"] * 5
    for i in ctx.track(range(TICKETS), "Support tickets"):
        customer = organisations[i % len(organisations)] if organisations else None
        email = (
            customer.contact_points.filter(kind="email").values_list("value", flat=True).first() if customer else None
        ) or f"customer{i}@mail.example"
        ticket = services.ticket_create(
            actor=agents[i % 2],
            company=company,
            data=services.TicketInput(
                subject=SUBJECTS[i % len(SUBJECTS)],
                text=f"Hello,\n\n{SUBJECTS[i % len(SUBJECTS)].lower()}. Please help.",
                party_id=customer.pk if customer else None,
                requester_email=email,
                channel=rng.choice(["email", "email", "web", "portal", "phone", "api"]),
                queue_id=(
                    billing if "nvoice" in SUBJECTS[i % len(SUBJECTS)] or "credit" in SUBJECTS[i % len(SUBJECTS)] else first_line
                ).pk,
                priority=rng.choice(["low", "normal", "normal", "normal", "high", "urgent"]),
                type=rng.choice(Ticket.Type.values),
                tags=rng.sample(["billing", "delivery", "portal", "hardware"], 1),
            ),
        )
        _age(ticket, now - dt.timedelta(hours=rng.randint(1, 24 * 12)))
        state = states[i]
        if state != "new":
            actor = ticket.assignee or agents[0]
            services.ticket_reply(actor=actor, company=company, ticket_id=ticket.pk, text=rng.choice(REPLIES))
            if rng.random() < 0.5:
                services.ticket_reply(
                    actor=actor, company=company, ticket_id=ticket.pk, text="@support2 can you check the stock?", note=True
                )
            services.time_log(actor=actor, company=company, ticket_id=ticket.pk, minutes=rng.randint(5, 60), activity="research")
        if state in ("pending_customer", "pending_internal", "solved", "closed"):
            services.ticket_set_status(
                actor=ticket.assignee or agents[0],
                company=company,
                ticket_id=ticket.pk,
                status="solved" if state == "closed" else state,
            )
        if state == "closed":
            services.ticket_set_status(actor=ticket.assignee or agents[0], company=company, ticket_id=ticket.pk, status="closed")
        if state in ("solved", "closed") and rng.random() < 0.8:
            services.satisfaction_record(token=services.survey_token(ticket), rating="good" if rng.random() < 0.75 else "bad")
    # Mark what the escalation job would have found by now: warnings and breaches on the aged tickets.
    services.sla_check(now=now)
    Message.objects.filter(ticket__company=company, kind="reply").update(sent_at=now)
    Satisfaction.objects.filter(company=company).update(created_at=now)


def _age(ticket: Ticket, created: dt.datetime) -> None:
    """Move a freshly opened demo ticket into the past, with its messages and SLA due times."""
    delta = ticket.created_at - created
    updates = {"created_at": created}
    for name in ("first_response_due", "resolution_due", "sla_due_at", "sla_warn_at"):
        value = getattr(ticket, name)
        if value is not None:
            updates[name] = value - delta
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    Message.objects.filter(ticket=ticket).update(created_at=created)
    ticket.refresh_from_db()


# Live chats ---------------------------------------------------------------------------------------
# A separate step (order 610, after the desk's queues and SLA policies exist, so a chat's ticket
# lands in the default queue under the matching policy): one chat waiting for an agent, one in
# conversation, one ended and filed on a ticket, each started and answered through the chat
# services. It adds nothing when the company already has chats. A chat nobody writes in ends by
# itself after 30 minutes (the idle job), so in a demo left running the first two are filed too.


def _email_of(party: Party | None, fallback: str) -> str:
    found = party.contact_points.filter(kind="email").values_list("value", flat=True).first() if party else None
    return found or fallback


def build_chats(ctx: DemoContext) -> None:
    company, agent = ctx.company, ctx.users["support"]
    if ChatSession.objects.filter(company=company).exists():
        return
    persons = list(Party.objects.filter(pk__in=ctx.records.get("persons", [])[:2]).order_by("pk"))
    first = persons[0] if persons else None
    second = persons[1] if len(persons) > 1 else None

    # Someone asks on the help centre and waits for an agent.
    services.chat_start(
        company=company,
        name=first.name if first else "Nikola Jovanović",
        email=_email_of(first, "nikola.jovanovic@mail.example"),
        text="Hello, do you deliver to Podgorica, and how long does it take?",
    )

    # A customer's contact (the portal login when there is one) is in conversation with the agent.
    contact = ctx.users.get("portal")
    talking = services.chat_start(
        company=company,
        name="Milica Savić",
        email="milica.savic@mail.example",
        text="Hi, our last invoice shows 12 chairs but we received 10.",
        portal_user=contact,
    )
    services.chat_agent_say(
        actor=agent, company=company, session_id=talking.pk, text="Hello! Let me look at the delivery note, one moment."
    )
    services.chat_visitor_say(session_id=talking.pk, text="Thank you, the order was placed last Tuesday.")
    services.chat_agent_say(
        actor=agent,
        company=company,
        session_id=talking.pk,
        text="I see it: two chairs are on a second delivery that leaves tomorrow. The invoice is for the whole order.",
    )

    # A chat the agent turned into a ticket and ended: the transcript is on the ticket.
    ended = services.chat_start(
        company=company,
        name=second.name if second else "Dragana Lukić",
        email=_email_of(second, "dragana.lukic@mail.example"),
        text="The scanner we bought shows error E42 after every page.",
    )
    services.chat_agent_say(
        actor=agent,
        company=company,
        session_id=ended.pk,
        text="E42 means the paper path is blocked. Could you open the cover and check for a stuck sheet?",
    )
    services.chat_visitor_say(session_id=ended.pk, text="Nothing is stuck, and it still shows E42.")
    services.chat_agent_say(
        actor=agent,
        company=company,
        session_id=ended.pk,
        text="Then the sensor needs a technician. I am opening a ticket; we will call you to arrange a visit.",
    )
    services.chat_make_ticket(actor=agent, company=company, session_id=ended.pk)
    services.chat_end(actor=agent, company=company, session_id=ended.pk)


register_step("support.desk", build_support, order=600)
register_step("support.chats", build_chats, order=610)
