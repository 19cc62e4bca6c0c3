"""Scenario (issue 6): an e-mail arrives → a ticket with the right customer and SLA → an agent
replies (the customer receives it through SMTP, threaded) → the customer answers → solved →
CSAT through the signed link → the report's figures."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.test import Client
from django.urls import reverse

from spona.core import services as core_services
from spona.front.support import selectors, services
from spona.front.support.mailserver import controller
from spona.front.support.models import Ticket
from tests.factories import member, party
from tests.front.support.factories import mail, policy
from tests.front.support.mailhelpers import Sink, free_port


@pytest.mark.django_db(transaction=True)
def test_from_an_email_to_a_rated_solution_and_the_report(company, settings):
    # given a VIP customer whose contact writes from jovana@bora.rs, an SLA for VIPs, a support
    # queue with one agent, Spona's SMTP receiver, and the customer's mail server (a sink)
    sink = Sink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = (
        "127.0.0.1",
        sink.port,
        False,
        False,
    )
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # The survey page renders {% static %}; the manifest storage would need collectstatic.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    admin = member(company, "admin")
    agent = member(company, "support", full_name="Sara Support")
    org = party(company, "Bora Trade d.o.o.", roles=["customer"], tags=["VIP"])
    person = party(company, "Jovana Petrović", kind="person", emails=["jovana@bora.rs"])
    core_services.party_link(actor=admin, company=company, from_party_id=person.pk, to_party_id=org.pk, kind="works_at")
    policy(company, first=480, resolution=2400)
    vip = policy(company, first=60, resolution=480, customer_tag="VIP")
    vip.sequence = 1
    vip.save()
    services.queue_create(
        actor=None,
        company=company,
        name="Help",
        email="help@acme.test",
        method="round_robin",
        members={agent.pk: []},
        is_default=True,
    )
    port = free_port()
    receiver = controller(host="127.0.0.1", port=port, default_company_id=company.pk)
    receiver.start()
    try:
        # when the e-mail arrives
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("jovana@bora.rs", ["help@acme.test"], mail(subject="Invoice is wrong"))
        # then a ticket exists for the organisation, with her as contact, the VIP SLA and the agent
        ticket = Ticket.objects.get(company=company)
        assert (ticket.party, ticket.contact, ticket.sla_policy, ticket.assignee) == (org, person, vip, agent)
        assert abs(ticket.first_response_due - ticket.created_at - dt.timedelta(minutes=60)) < dt.timedelta(seconds=1)
        # when the agent replies, then she receives it by SMTP, threaded, with the reference
        reply = services.ticket_reply(actor=agent, company=company, ticket_id=ticket.pk, text="We will correct it today.")
        (received,) = sink.wait_for(1)
        assert received["In-Reply-To"] == ticket.messages.order_by("id").first().message_id
        assert f"[{ticket.number}]" in received["Subject"]
        # when she answers the reply, then it lands on the same ticket
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail(
                "jovana@bora.rs",
                ["help@acme.test"],
                mail(subject=f"Re: {received['Subject']}", text="Thank you!", headers={"In-Reply-To": reply.message_id}),
            )
    finally:
        receiver.stop()
    assert ticket.messages.filter(kind="customer").count() == 2
    # when the agent solves it, then the survey comes by mail and her click rates it
    services.ticket_set_status(actor=agent, company=company, ticket_id=ticket.pk, status="solved")
    survey = sink.wait_for(2)[1]
    assert survey["Auto-Submitted"] == "auto-generated"
    link = next(line for line in survey.get_content().splitlines() if line.startswith("Good: ")).split("localhost:8000", 1)[1]
    assert Client().get(link).status_code == 200
    sink.controller.stop()
    # then the report shows the ticket answered and solved within the SLA, and a good rating for the agent
    report = selectors.report(
        user=agent, company=company, start=ticket.created_at - dt.timedelta(days=1), end=ticket.created_at + dt.timedelta(days=1)
    )
    assert (report.created, report.solved, report.first_response_rate, report.resolution_rate, report.csat_score) == (
        1,
        1,
        100.0,
        100.0,
        100.0,
    )
    assert report.csat_by_agent == [{"agent__full_name": "Sara Support", "total": 1, "good": 1}]
    assert report.by_channel == [{"channel": "email", "n": 1}]
    assert reverse("support:reports")
