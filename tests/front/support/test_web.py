"""Support pages: the queue (pinned query count), the ticket page, the panel, public pages, XSS corpus."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from spona.front.support import bodies, services
from spona.front.support.models import Ticket
from tests.factories import party
from tests.front.support.factories import policy, ticket

# A payload corpus (QUALITY SEC5): markup that runs script when rendered unsanitised.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>",
    "<a href=' javascript:alert(1)'>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<form action=javascript:alert(1)><button>x",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<style>@import 'javascript:alert(1)'</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<link rel=import href=x>",
    "<table background=javascript:alert(1)>",
    "<marquee onstart=alert(1)>",
    "<!--<script>-->alert(1)",
    "<scr<script>ipt>alert(1)</script>",
    "<a href=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>x</a>",
    "<p onmouseover=alert(1)>x</p>",
    "<img src=1 onload=alert(1)>",
]
TAG = re.compile(r"<[^>]*>")
DANGER = re.compile(
    r"<script|<iframe|<svg|<object|<embed|<style|<form|<input|<meta|<base|<link|\son\w+=|javascript:|data:text", re.I
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_html_is_neutralised_when_stored(payload):
    # Escaped text may still read "onerror=": only the markup that remains matters.
    for stored in (bodies.clean_html(payload), bodies.markdown_to_html(payload)):
        assert not DANGER.search(" ".join(TAG.findall(stored))), stored


def test_the_queue_shows_open_tickets_with_their_sla_in_a_fixed_number_of_queries(
    client, company, agent, django_assert_max_num_queries
):
    # given 30 open tickets of different customers under an SLA, and a solved one
    policy(company, first=60)
    for n in range(30):
        ticket(company, agent, subject=f"Question {n}", party_id=party(company, f"Customer {n}").pk)
    done = ticket(company, agent, subject="Old one")
    services.ticket_set_status(actor=agent, company=company, ticket_id=done.pk, status="solved")
    client.force_login(agent)
    # when the agent opens the queue, then it takes a bounded number of queries
    with django_assert_max_num_queries(12):
        response = client.get(reverse("support:ticket_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("sla-ok") == 25 and "Old one" not in body and "Next page" in body
    # and the SLA filter finds what is on track
    assert client.get(reverse("support:ticket_list"), {"sla": "breached"}).content.decode().count("sla-") == 0


def test_an_agent_replies_with_a_macro_and_the_page_escapes_what_the_customer_wrote(client, company, agent):
    customer = party(company, "Bora Trade d.o.o.")
    t = ticket(company, agent, party_id=customer.pk, html="<p>Hi <b>there</b><script>alert(1)</script></p>", subject="<i>x</i>")
    macro = services.macro_create(
        actor=None,
        company=company,
        name="Order number",
        body="Hello {{ customer }}, the order for {{ number }}?",
        set_status="pending_customer",
    )
    client.force_login(agent)
    page = client.get(reverse("support:ticket_detail", args=[t.pk])).content.decode()
    assert "<b>there</b>" in page and "<script>alert(1)</script>" not in page and "&lt;i&gt;x&lt;/i&gt;" in page
    assert reverse("web:party_detail", args=[customer.pk]) in page
    response = client.post(reverse("support:ticket_reply", args=[t.pk]), {"text": "", "macro": macro.pk})
    assert response.status_code == 302
    t.refresh_from_db()
    assert t.status == Ticket.Status.PENDING_CUSTOMER
    assert t.messages.filter(kind="reply", body_text=f"Hello Bora Trade d.o.o., the order for {t.number}?").exists()


def test_two_agents_on_one_ticket_see_the_collision_notice(client, company, agent, agent2):
    t = ticket(company, agent)
    client.force_login(agent)
    client.post(reverse("support:ticket_viewers", args=[t.pk]))
    client.force_login(agent2)
    answer = client.post(reverse("support:ticket_viewers", args=[t.pk])).content.decode()
    assert "Sara Support" in answer and "also has this ticket open" in answer


def test_the_party_page_shows_open_tickets(client, company, agent):
    customer = party(company, "Bora Trade d.o.o.")
    t = ticket(company, agent, party_id=customer.pk)
    client.force_login(agent)
    page = client.get(reverse("web:party_detail", args=[customer.pk])).content.decode()
    assert 'id="support-panel"' in page and t.number in page


def test_the_public_form_makes_a_ticket_and_drops_a_bot(client, company):
    url = reverse("support_public:contact", args=[company.code])
    form = {"name": "Mika", "email": "mika@example.org", "subject": "Help", "text": "Please", "website": ""}
    client.get(url)
    import time

    from django.core import signing

    from spona.front.support.forms import PublicTicketForm

    old = signing.dumps(time.time() - 60, salt="spona.support.web_form")
    assert client.post(url, {**form, "started": old}).status_code == 200
    assert client.post(url, {**form, "started": old, "website": "http://spam"}).status_code == 200
    assert client.post(url, {**form, "started": PublicTicketForm.stamp()}).status_code == 200  # too fast: a bot
    assert list(Ticket.objects.values_list("channel", "subject")) == [("web", "Help")]


def test_csat_link_records_once_and_a_forged_link_is_404(client, company, agent):
    t = ticket(company, agent, requester_email="mika@example.org")
    services.ticket_set_status(actor=agent, company=company, ticket_id=t.pk, status="solved")
    urls = services.survey_urls(t)
    good = urls["good"].split("localhost:8000", 1)[1]
    assert client.get(good).status_code == 200
    assert client.get(urls["bad"].split("localhost:8000", 1)[1]).status_code == 200  # the first answer stays
    t.refresh_from_db()
    assert t.satisfaction.rating == 5
    assert client.get(good.replace("/good/", "/bad/")[:-5] + "xx/bad/").status_code == 404


def test_public_articles_only_and_helpful_counts(client, company):
    public = services.article_create(
        actor=None, company=company, title="Reset password", body_markdown="Use *forgot*.", visibility="public", is_published=True
    )
    services.article_create(
        actor=None, company=company, title="Internal limits", body_markdown="secret", visibility="internal", is_published=True
    )
    index = client.get(reverse("support_public:help_index", args=[company.code])).content.decode()
    assert "Reset password" in index and "Internal limits" not in index
    client.post(reverse("support_public:help_feedback", args=[company.code, public.slug]), {"helpful": "yes"})
    client.post(reverse("support_public:help_feedback", args=[company.code, public.slug]), {"helpful": "yes"})
    public.refresh_from_db()
    assert public.helpful_yes == 1


def test_an_article_titled_like_a_help_centre_page_gets_a_slug_of_its_own(client, company):
    # given the help centre's own page for live chat at /help/<code>/chat/
    # when an article is called "Chat"
    article = services.article_create(
        actor=None, company=company, title="Chat", body_markdown="Talk to us.", visibility="public", is_published=True
    )
    # then its address is another one, and it opens
    assert article.slug == "chat-2"
    page = client.get(reverse("support_public:help_article", args=[company.code, article.slug]))
    assert page.status_code == 200 and "Talk to us." in page.content.decode()


def test_reports_page_and_csv(client, company, agent):
    ticket(company, agent)
    client.force_login(agent)
    assert client.get(reverse("support:reports")).status_code == 200
    csv = client.get(reverse("support:reports_csv")).content.decode()
    assert "period,created,1" in csv
