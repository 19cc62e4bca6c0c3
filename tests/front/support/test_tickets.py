"""Tickets: opening, states with the SLA clock, parent and child, merge, link, assignment, attachments."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from spona.core.errors import Conflict, StateError, ValidationFailed
from spona.core.models import AuditEntry, Event
from spona.front.support import selectors, services
from spona.front.support.models import Attachment, Message, Queue, Ticket
from spona.front.support.services.common import locked
from spona.front.support.services.messages import customer_message
from tests.factories import deliver_events, member, party
from tests.front.support.factories import WORKWEEK, policy, ticket

MONDAY_10 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_new_ticket_gets_a_number_an_sla_and_lands_on_the_customers_timeline(company, agent):
    # given a VIP customer and an SLA for VIP customers on business hours
    customer = party(company, "Bora Trade d.o.o.", tags=["VIP"])
    calendar = services.calendar_create(actor=None, company=company, name="Office", time_zone="UTC", hours=WORKWEEK)
    policy(company, first=480, calendar=calendar)
    vip = policy(company, first=60, resolution=240, calendar=calendar, customer_tag="vip")
    vip.sequence = 1
    vip.save()
    # when an agent opens a ticket for it on Monday 10:00
    with time_machine.travel(MONDAY_10, tick=False):
        t = ticket(company, agent, party_id=customer.pk, requester_email="jovana@bora.rs")
    # then it is numbered, carries the VIP targets in business time, and its first message is kept
    assert t.number == "T-000001"
    assert t.sla_policy == vip
    assert t.first_response_due == MONDAY_10 + dt.timedelta(hours=1)
    assert t.resolution_due == MONDAY_10 + dt.timedelta(hours=4)
    assert t.sla_due_at == t.first_response_due
    assert t.messages.get().kind == Message.Kind.CUSTOMER
    assert Event.objects.filter(name="support.ticket_created", party=customer).exists()
    deliver_events()
    assert AuditEntry.objects.filter(target_type="support.ticket", target_id=str(t.pk), action="created").exists()


def test_an_agent_reply_meets_the_first_response_and_pending_customer_stops_the_clock(company, agent):
    policy(company, first=60, nxt=60, resolution=600)
    with time_machine.travel(MONDAY_10, tick=False):
        t = ticket(company, agent)
    # when the agent answers 30 minutes later and waits for the customer for 5 hours
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=30), tick=False):
        services.ticket_reply(actor=agent, company=company, ticket_id=t.pk, text="Which model?", status="pending_customer")
    t.refresh_from_db()
    assert t.first_responded_at == MONDAY_10 + dt.timedelta(minutes=30)
    assert t.status == Ticket.Status.PENDING_CUSTOMER and t.sla_state(MONDAY_10 + dt.timedelta(hours=20)) == "paused"
    # then when the customer answers, the resolution target moved by the 5 hours it waited
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=5, minutes=30), tick=False):
        customer_message(company=company, ticket=locked(company, t.pk), text="Model X1")
    t.refresh_from_db()
    assert t.status == Ticket.Status.OPEN
    assert t.resolution_due == MONDAY_10 + dt.timedelta(hours=15)
    assert t.next_response_due == MONDAY_10 + dt.timedelta(hours=6, minutes=30)
    assert t.sla_due_at == t.next_response_due


def test_a_parent_cannot_be_solved_before_its_children(company, agent):
    parent = ticket(company, agent, subject="Office move")
    child = ticket(company, agent, subject="Move printers", parent_id=parent.pk)
    # when the parent is solved while the child is open, then it is refused
    with pytest.raises(StateError, match=child.number):
        services.ticket_set_status(actor=agent, company=company, ticket_id=parent.pk, status="solved")
    # and once the child is solved, the parent can be solved and closed
    services.ticket_set_status(actor=agent, company=company, ticket_id=child.pk, status="solved")
    services.ticket_set_status(actor=agent, company=company, ticket_id=parent.pk, status="solved")
    closed = services.ticket_set_status(actor=agent, company=company, ticket_id=parent.pk, status="closed")
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(StateError):
        services.ticket_set_status(actor=agent, company=company, ticket_id=parent.pk, status="open")


def test_a_ticket_cannot_become_its_own_ancestor(company, agent):
    a = ticket(company, agent)
    b = ticket(company, agent, parent_id=a.pk)
    with pytest.raises(ValidationFailed):
        services.ticket_set_parent(actor=agent, company=company, ticket_id=a.pk, parent_id=b.pk)


def test_merging_moves_the_conversation_and_closes_the_duplicate(company, agent):
    keep = ticket(company, agent, subject="VPN down")
    dup = ticket(company, agent, subject="VPN not working", text="Since 9 o'clock")
    target = services.ticket_merge(actor=agent, company=company, source_id=dup.pk, target_id=keep.pk)
    dup.refresh_from_db()
    assert dup.status == "closed" and dup.merged_into_id == keep.pk
    assert target.messages.filter(body_text="Since 9 o'clock").exists()
    link = services.ticket_link(actor=agent, company=company, ticket_id=keep.pk, record_type="finance.invoice", record_id=7)
    assert str(link) == "finance.invoice#7"


def test_a_stale_edit_is_refused(company, agent):
    t = ticket(company, agent)
    services.ticket_update(actor=agent, company=company, ticket_id=t.pk, version=t.version, priority="high")
    with pytest.raises(Conflict):
        services.ticket_update(actor=agent, company=company, ticket_id=t.pk, version=t.version, priority="low")


def test_round_robin_load_capacity_and_skills(company, agent, agent2):
    # given a round-robin queue of two agents
    rr = services.queue_create(
        actor=None, company=company, name="First line", method="round_robin", members={agent.pk: [], agent2.pk: []}
    )
    got = [ticket(company, queue_id=rr.pk).assignee for _ in range(4)]
    assert got == [agent, agent2, agent, agent2]
    # a load-based queue with capacity 3 gives to the least loaded until everyone is full
    load = services.queue_create(
        actor=None, company=company, name="Load", method="load", capacity=3, members={agent.pk: [], agent2.pk: []}
    )
    more = [ticket(company, queue_id=load.pk).assignee for _ in range(3)]
    # each held 2 from round-robin: one more each reaches the capacity, the third waits for a person
    assert more == [agent, agent2, None]
    # a skill-based queue gives a German-speaking ticket to the only agent who speaks German
    skill = services.queue_create(
        actor=None,
        company=company,
        name="Skills",
        method="skill",
        members={agent.pk: ["english"], agent2.pk: ["english", "German"]},
    )
    assert ticket(company, queue_id=skill.pk, skills=["german"]).assignee == agent2
    assert ticket(company, queue_id=skill.pk, skills=["japanese"]).assignee is None
    assert Queue.objects.filter(company=company).count() == 3


def test_only_support_agents_can_be_queue_members(company, sales):
    with pytest.raises(ValidationFailed):
        services.queue_create(actor=None, company=company, name="Q", method="load", members={sales.pk: []})


def test_attachments_are_stored_under_safe_names_and_dangerous_types_refused(company, agent):
    t = ticket(company, agent)
    ok = services.AttachmentIn("../../etc/pass wd.pdf", "application/pdf", b"%PDF-1.4 ...")
    reply = services.ticket_reply(actor=agent, company=company, ticket_id=t.pk, text="See attached", attachments=[ok])
    stored = Attachment.objects.get(message=reply)
    assert stored.filename == "pass_wd.pdf" and ".." not in stored.file.name and stored.size == 12
    for bad in (
        services.AttachmentIn("x.html", "text/html", b"<script>"),
        services.AttachmentIn("x.svg", "image/svg+xml", b"<svg/>"),
    ):
        with pytest.raises(ValidationFailed):
            services.ticket_reply(actor=agent, company=company, ticket_id=t.pk, text="x", attachments=[bad])


def test_a_note_mentions_colleagues_and_bodies_are_sanitised(company, agent, agent2):
    t = ticket(company, agent, html='<p onclick="x()">Hi<script>alert(1)</script><img src=x onerror=alert(2)></p>')
    first = t.messages.get()
    assert "script" not in first.body_html and "onclick" not in first.body_html and "onerror" not in first.body_html
    note = services.ticket_reply(actor=agent, company=company, ticket_id=t.pk, text="@uros can you look?", note=True)
    assert list(note.mentions.all()) == [agent2]
    assert note.message_id == ""


def test_viewers_see_each_other(company, agent, agent2):
    t = ticket(company, agent)
    assert services.viewer_heartbeat(actor=agent, company=company, ticket_id=t.pk) == []
    others = services.viewer_heartbeat(actor=agent2, company=company, ticket_id=t.pk, replying=True)
    assert [v.user for v in others] == [agent]
    assert services.viewer_heartbeat(actor=agent, company=company, ticket_id=t.pk)[0].is_replying


def test_the_sla_job_warns_then_escalates_once(company, agent):
    policy(company, first=60, resolution=600)
    with time_machine.travel(MONDAY_10, tick=False):
        t = ticket(company, agent)
    assert services.sla_check(now=MONDAY_10 + dt.timedelta(minutes=50)) == {"warned": 1, "breached": 0}
    assert services.sla_check(now=MONDAY_10 + dt.timedelta(minutes=55)) == {"warned": 0, "breached": 0}
    assert services.sla_check(now=MONDAY_10 + dt.timedelta(minutes=61)) == {"warned": 0, "breached": 1}
    assert services.sla_check(now=MONDAY_10 + dt.timedelta(minutes=70)) == {"warned": 0, "breached": 0}
    t.refresh_from_db()
    assert t.priority == "high" and t.sla_breaches == 1
    assert t.sla_state(MONDAY_10 + dt.timedelta(minutes=70)) == "breached"
    assert Event.objects.filter(name="support.sla_breached").count() == 1


def test_time_is_logged_per_agent(company, agent):
    t = ticket(company, agent)
    services.time_log(actor=agent, company=company, ticket_id=t.pk, minutes=25, activity="call")
    with pytest.raises(ValidationFailed):
        services.time_log(actor=agent, company=company, ticket_id=t.pk, minutes=0)
    assert t.time_entries.get().user == agent


def test_staff_without_support_role_cannot_touch_tickets(company, agent, sales):
    from spona.core.errors import PermissionDenied

    t = ticket(company, agent)
    with pytest.raises(PermissionDenied):
        services.ticket_set_status(actor=sales, company=company, ticket_id=t.pk, status="solved")
    portal_customer = party(company, "Other Customer")
    portal = member(company, "portal", party=portal_customer)
    from spona.core.errors import NotFound

    with pytest.raises(NotFound):
        services.portal_reply(actor=portal, company=company, ticket_id=t.pk, text="Let me in")


def test_the_next_ticket_is_the_agents_or_nobodys_with_the_nearest_sla(client, company, agent, agent2):
    # given an unassigned ticket due later, one of a colleague's, and an urgent one of nobody's
    policy(company, first=30, priority="urgent")
    policy(company, first=240)
    later = ticket(company, None, subject="Later")
    colleagues = ticket(company, None, subject="Colleague's", assignee_id=agent2.pk)
    urgent = ticket(company, None, subject="Urgent", priority="urgent")
    # when the agent asks for the next ticket, then it is the urgent one, then the later one
    assert selectors.ticket_next(user=agent, company=company) == urgent
    services.ticket_set_status(actor=agent, company=company, ticket_id=urgent.pk, status="pending_customer")
    assert selectors.ticket_next(user=agent, company=company) == later
    assert colleagues.assignee == agent2
    client.force_login(agent)
    assert client.get(reverse("support:ticket_next"))["Location"] == reverse("support:ticket_detail", args=[later.pk])
