from __future__ import annotations

import re

import pytest

from spona.core.models import Membership
from tests.factories import CompanyFactory, deliver_events, member, party

PAGES_FOR_ADMIN = ["/", "/parties/", "/parties/new/?kind=organisation", "/admin/users/", "/admin/company/", "/admin/audit/"]


def test_home_shows_the_companys_figures_and_activity(client, company, sales, login):
    # given parties with roles, registered through the services
    party(company, "Bora Trade", roles=["customer"])
    party(company, "Sima Supplies", roles=["supplier", "customer"])
    deliver_events()
    # when a sales user opens the home page
    response = login(sales).get("/")
    # then it shows counts by role, the newest parties and the latest activity
    content = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'\?role=customer">Customer</a>\s*<span[^>]*>2<', content)
    assert "Sima Supplies" in content and "Bora Trade was registered" in content


def test_the_menu_follows_the_users_roles(client, company, login):
    # given a sales user and an administrator
    sales = member(company, "sales")
    admin = member(company, "admin")
    # then sales sees the front office but no administration
    content = login(sales).get("/").content.decode()
    assert "Customers &amp; contacts" in content and "/admin/users/" not in content
    client.post("/logout/")
    content = login(admin).get("/").content.decode()
    assert "Administration" in content and "/admin/users/" in content and "/admin/audit/" in content


def test_a_portal_user_gets_no_staff_page(client, company, login):
    customer = party(company, "Kupac")
    portal = member(company, "portal", party=customer)
    login(portal)
    assert client.get("/").status_code == 403
    assert client.get("/parties/").status_code == 403


def test_company_switcher_lists_and_accepts_only_member_companies(client, company, other_company, login):
    # given a user in two companies and a third company they are not in
    user = member(company, "sales")
    Membership.objects.create(user=user, company=other_company, role="sales")
    outsider = CompanyFactory(name="Initech", code="initech")
    login(user)
    content = client.get("/").content.decode()
    assert "Globex Ltd" in content and "Initech" not in content
    # when they switch to the other company
    response = client.post("/company/switch/", {"company": other_company.pk, "next": "/parties/"})
    assert response["Location"] == "/parties/"
    other_party = party(other_company, "Globex Customer")
    assert "Globex Customer" in client.get("/parties/").content.decode()
    # then a company they do not belong to is refused and nothing changes
    client.post("/company/switch/", {"company": outsider.pk})
    assert "Globex Customer" in client.get("/parties/").content.decode()
    assert client.get(f"/parties/{other_party.pk}/").status_code == 200


def test_company_switch_is_post_only(client, sales, login):
    assert login(sales).get("/company/switch/").status_code == 405


@pytest.mark.parametrize("url", PAGES_FOR_ADMIN)
def test_pages_send_a_strict_csp_and_no_inline_styles(client, admin, company, login, url):
    party(company, "Style Check d.o.o.", emails=["a@style.test"])
    response = login(admin).get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    content = response.content.decode()
    assert " style=" not in content and "<style" not in content
    # inline scripts only with the request's nonce
    for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content):
        assert "nonce=" in tag


def test_user_text_is_escaped(client, company, sales, login):
    evil = party(company, '<script>alert("x")</script>', notes="<img src=x onerror=alert(1)>", tags=["<b>t</b>"])
    content = login(sales).get(f"/parties/{evil.pk}/").content.decode()
    assert '<script>alert("x")</script>' not in content and "&lt;script&gt;" in content
    assert "<img src=x" not in content and "<b>t</b>" not in content
