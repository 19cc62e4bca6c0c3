"""CRM pages: roles, leads from capture to qualification, the public form, the board, My day."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import signing
from django.utils import timezone

from spona.core.models import Party
from spona.front.crm import services
from spona.front.crm.forms import FORM_SALT
from spona.front.crm.models import Activity, Lead, Opportunity, Team
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import lead, opportunity, stage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "leads", "board", "teams"),
    [("sales", 200, 200, 403), ("marketing", 200, 403, 403), ("management", 200, 200, 200), ("finance", 403, 403, 403)],
)
def test_pages_answer_by_role(client, company, role, leads, board, teams):
    client.force_login(member(company, role))
    assert client.get("/crm/leads/").status_code == leads
    assert client.get("/crm/pipeline/").status_code == board
    assert client.get("/crm/my-day/").status_code == board
    assert client.get("/crm/teams/").status_code == teams


def test_marketing_sees_leads_but_cannot_create_them(client, company):
    client.force_login(member(company, "marketing"))
    assert "New lead" not in client.get("/crm/leads/").content.decode()
    assert client.get("/crm/leads/new/").status_code == 403


def test_capture_edit_and_qualify_a_lead_through_the_pages(client, company, sales):
    # given a sales user and an existing organisation with the lead's name
    org = party(company, "Nova Trade")
    client.force_login(sales)
    # when they capture a lead
    response = client.post(
        "/crm/leads/new/",
        {
            "contact_name": "Mila Ilić",
            "company_name": "Nova Trade",
            "email": "mila@nova.rs",
            "source": "referral",
            "country": "RS",
        },
    )
    created = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/crm/leads/{created.pk}/"
    # then its page shows the score reasons and the duplicate party
    page = client.get(f"/crm/leads/{created.pk}/").content.decode()
    assert "business e-mail domain nova.rs" in page and f"/parties/{org.pk}/" in page
    # when an edit is sent against a stale version
    stale = {"contact_name": "X", "source": "manual", "version": created.version}
    client.post(f"/crm/leads/{created.pk}/edit/", {"contact_name": "Mila", "source": "referral", "version": created.version})
    response = client.post(f"/crm/leads/{created.pk}/edit/", stale)
    assert response.status_code == 200 and "Someone changed this lead" in response.content.decode()
    # and when it is qualified with the existing organisation chosen
    response = client.post(
        f"/crm/leads/{created.pk}/qualify/", {"title": "Scanners", "expected_revenue": "1500.00", "organisation": org.pk}
    )
    opp = Opportunity.objects.get()
    assert response["Location"] == f"/crm/opportunities/{opp.pk}/"
    assert (opp.party_id, str(opp.expected_revenue)) == (org.pk, "1500.0000")


def test_the_lead_form_shows_service_errors_on_fields(client, company, sales):
    client.force_login(sales)
    response = client.post("/crm/leads/new/", {"email": "bad", "source": "manual"})
    body = response.content.decode()
    assert response.status_code == 200 and "Give a contact name or a company name." in body
    assert Lead.objects.count() == 0


def test_disqualify_needs_a_reason_on_the_page(client, company, sales):
    item = lead(company, sales)
    client.force_login(sales)
    client.post(f"/crm/leads/{item.pk}/status/", {"status": "disqualified"})
    assert Lead.objects.get().status == "new"
    client.post(f"/crm/leads/{item.pk}/status/", {"status": "disqualified", "reason": "Spam"})
    assert Lead.objects.get().status == "disqualified"


def _public_post(client, code="acme", started=None, **fields):
    data = {"contact_name": "Web Visitor", "email": "visitor@firma.rs", "website": "", **fields}
    data["started"] = started if started is not None else signing.dumps(time.time() - 10, salt=FORM_SALT)
    return client.post(f"/forms/lead/{code}/", data, REMOTE_ADDR=fields.pop("ip", "203.0.113.5"))


def test_the_public_form_takes_a_lead_without_login(client, company):
    page = client.get("/forms/lead/acme/")
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    response = _public_post(client)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    created = Lead.objects.get()
    assert (created.company, created.source, created.email) == (company, "web_form", "visitor@firma.rs")
    assert client.get("/forms/lead/nope/").status_code == 404


def test_the_public_form_drops_bots(client, company):
    # a filled honeypot, a form sent within a second, and a forged stamp: each thanked, none kept
    assert "Thank you" in _public_post(client, website="http://spam.example").content.decode()
    assert "Thank you" in _public_post(client, started=signing.dumps(time.time(), salt=FORM_SALT)).content.decode()
    assert "Thank you" in _public_post(client, started="forged").content.decode()
    assert Lead.objects.count() == 0


def test_the_public_form_limits_posts_per_address(client, company, settings):
    settings.CRM_LEAD_FORM_RATE = 2
    codes = [_public_post(client, email=f"v{i}@firma.rs").status_code for i in range(3)]
    assert codes == [200, 200, 429] and Lead.objects.count() == 2


def test_board_drag_and_drop_move_answers_with_the_board(client, company, sales):
    org = party(company, "Nova Trade")
    opp = opportunity(company, sales, org, title="Scanners")
    client.force_login(sales)
    board = client.get("/crm/pipeline/").content.decode()
    assert "Scanners" in board and "Sortable.min.js" in board
    proposal = stage(company, "Proposal")
    response = client.post("/crm/pipeline/move/", {"id": opp.pk, "to": proposal.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "data-kanban" in response.content.decode()
    opp.refresh_from_db()
    assert opp.stage == proposal
    # a refused move (lost needs a reason) shows why
    response = client.post("/crm/pipeline/move/", {"id": opp.pk, "to": stage(company, "Lost").pk}, HTTP_HX_REQUEST="true")
    assert "Say why the opportunity was lost." in response.content.decode()


def test_board_and_lead_list_query_counts_are_pinned(client, company, sales, django_assert_max_num_queries):
    org = party(company, "Nova Trade")
    for i in range(30):
        opportunity(company, sales, org, title=f"Deal {i}")
        lead(company, sales, contact_name=f"Lead {i}")
    client.force_login(sales)
    client.get("/crm/pipeline/")
    with django_assert_max_num_queries(10):
        assert client.get("/crm/pipeline/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/crm/leads/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/crm/opportunities/").status_code == 200


def test_lead_list_filters_and_pages(client, company, sales):
    for i in range(30):
        lead(company, sales, contact_name=f"Lead {i:02d}")
    client.force_login(sales)
    first = client.get("/crm/leads/").content.decode()
    assert "Lead 29" in first and "Lead 04" not in first and "cursor=" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = client.get(f"/crm/leads/?cursor={cursor}").content.decode()
    assert "Lead 04" in second and "Lead 29" not in second
    assert "Lead 07" in client.get("/crm/leads/?q=Lead+07").content.decode()
    assert client.get("/crm/leads/?cursor=garbage").status_code == 200


def test_win_lose_and_move_from_the_detail_page(client, company, sales):
    org = party(company, "Nova Trade")
    a, b = opportunity(company, sales, org, title="A"), opportunity(company, sales, org, title="B")
    client.force_login(sales)
    client.post(f"/crm/opportunities/{a.pk}/move/", {"stage": stage(company, "Negotiation").pk})
    client.post(f"/crm/opportunities/{a.pk}/win/")
    client.post(f"/crm/opportunities/{b.pk}/lose/", {"reason": "Too expensive"})
    assert dict(Opportunity.objects.values_list("title", "status")) == {"A": "won", "B": "lost"}
    # and the party's 360° page shows them on the timeline
    deliver_events()
    page = client.get(f"/parties/{org.pk}/").content.decode()
    assert "Opportunity A won" in page and "Opportunity B lost: Too expensive" in page


def test_my_day_and_calendar_export(client, company, sales):
    org = party(company, "Nova; Trade, d.o.o.")
    now = timezone.now()
    services.activity_create(
        actor=sales, company=company, kind="call", subject="Overdue call", due_at=now - dt.timedelta(days=1), party_id=org.pk
    )
    services.activity_create(
        actor=sales, company=company, kind="meeting", subject="Later meeting", due_at=now + dt.timedelta(days=5)
    )
    client.force_login(sales)
    page = client.get("/crm/my-day/").content.decode()
    assert "Overdue call" in page and "Later meeting" not in page
    ics = client.get("/crm/my-day/calendar.ics")
    text = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Call: Overdue call (Nova\\; Trade\\, d.o.o.)" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_activity_done_from_my_day(client, company, sales):
    act = services.activity_create(actor=sales, company=company, kind="task", subject="Do it", due_at=timezone.now())
    client.force_login(sales)
    response = client.post(f"/crm/activities/{act.pk}/done/", {"next": "/crm/my-day/"})
    assert response["Location"] == "/crm/my-day/" and Activity.objects.get().done


def test_teams_and_rules_pages(client, company, sales):
    boss = member(company, "management")
    client.force_login(boss)
    client.post("/crm/teams/new/", {"name": "North", "members": [sales.pk, boss.pk], "leader": boss.pk, "countries": "rs, hr"})
    team = Team.objects.get()
    assert team.countries == "RS, HR"
    client.post("/crm/rules/new/", {"name": "Turns", "method": "round_robin", "team": team.pk, "sequence": 10})
    assert "Turns" in client.get("/crm/teams/").content.decode()


def test_the_360_page_shows_open_opportunities_and_activities(client, company, sales):
    org = party(company, "Nova Trade")
    opportunity(company, sales, org, title="Visible deal")
    services.activity_create(
        actor=sales, company=company, kind="call", subject="Intro call", due_at=timezone.now(), party_id=org.pk
    )
    client.force_login(sales)
    page = client.get(f"/parties/{org.pk}/").content.decode()
    assert 'id="crm-panel"' in page and "Visible deal" in page and "Intro call" in page
    # finance sees the party but not the pipeline panel
    client.force_login(member(company, "finance"))
    assert 'id="crm-panel"' not in client.get(f"/parties/{org.pk}/").content.decode()
    assert Party.objects.count() == 1


def test_open_and_edit_an_opportunity_through_the_form(client, company, sales):
    org = party(company, "Nova Trade")
    client.force_login(sales)
    assert client.get(f"/crm/opportunities/new/?party={org.pk}").status_code == 200
    response = client.post("/crm/opportunities/new/", {"title": "Deal", "party": org.pk, "expected_revenue": "99.999"})
    opp = Opportunity.objects.get()
    assert response["Location"] == f"/crm/opportunities/{opp.pk}/" and str(opp.expected_revenue) == "100.0000"
    assert opp.owner == sales
    # a stale edit is refused on the form, a fresh one saved
    fresh = {"title": "Bigger", "party": org.pk, "expected_revenue": "200", "version": 1}
    assert client.post(f"/crm/opportunities/{opp.pk}/edit/", fresh).status_code == 302
    body = client.post(f"/crm/opportunities/{opp.pk}/edit/", {**fresh, "title": "Mine"}).content.decode()
    assert "Someone changed this opportunity" in body
    assert Opportunity.objects.get().title == "Bigger"


def test_forecast_page_groups_by_month_owner_and_team(client, company, sales):
    org = party(company, "Nova Trade")
    opportunity(company, sales, org, revenue="1000.00", close=dt.date(2027, 1, 15))
    client.force_login(sales)
    by_month = client.get("/crm/forecast/").content.decode()
    assert "2027-01" in by_month and "100.00 EUR" in by_month
    assert "Sava Sales" in client.get("/crm/forecast/?by=owner").content.decode()
    assert "No team" in client.get("/crm/forecast/?by=team").content.decode()
    assert client.get("/crm/forecast/?by=<script>").status_code == 200
