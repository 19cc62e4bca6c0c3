from __future__ import annotations

import re

import pytest
from django.core import mail

from spona.core import services
from spona.core.models import AuditEntry, Company, EventDelivery, Membership, User
from tests.factories import dead_letter as make_dead_letter
from tests.factories import member, party

ADMIN_PAGES = ["/admin/users/", "/admin/users/invite/", "/admin/company/"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["sales", "management", "finance"])
def test_administration_is_for_administrators_only(client, company, login, url, role):
    assert login(member(company, role)).get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_administration_pages_render_for_an_admin(client, admin, login, url):
    assert login(admin).get(url).status_code == 200


def test_users_list_shows_roles_in_this_company_only(client, company, other_company, admin, login):
    user = member(company, "sales", "support", full_name="Sava Sales")
    Membership.objects.create(user=user, company=other_company, role="finance")
    member(other_company, "sales", full_name="Globex Person")
    content = login(admin).get("/admin/users/").content.decode()
    assert "Sava Sales" in content and "Sales" in content and "Support" in content
    # the other company's role is not shown as a badge (the menu may well say "Finance")
    assert 'border">Finance</span>' not in content and "Globex Person" not in content
    assert 'border">Sales</span>' in content


def test_invite_creates_the_user_and_mails_a_link_to_set_the_password(client, company, admin, login):
    # when an administrator invites a colleague
    response = login(admin).post(
        "/admin/users/invite/", {"full_name": "Nina Nova", "email": "Nina@Acme.test", "roles": ["sales"], "language": "en"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="nina@acme.test")
    assert list(user.memberships.values_list("role", flat=True)) == ["sales"]
    # then she receives a plain e-mail whose link lets her choose a password and log in
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@acme.test"]
    body = mail.outbox[0].body
    assert "Ana Admin has given you access" in body and "Acme d.o.o." in body
    link = re.search(r"http://testserver(/password/reset/\S+/)", body).group(1)
    client.post("/logout/")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": "nina-Secret-42", "new_password2": "nina-Secret-42"})
    assert client.post("/login/", {"email": "nina@acme.test", "password": "nina-Secret-42"}).status_code == 302


def test_invite_errors_stay_on_the_form(client, company, admin, login):
    response = login(admin).post(
        "/admin/users/invite/", {"full_name": "Dup", "email": admin.email, "roles": ["sales"], "language": "en"}
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert "A user with this e-mail exists." in content and 'id="id_email_error"' in content and 'value="Dup"' in content
    assert len(mail.outbox) == 0
    response = login(admin).post("/admin/users/invite/", {"full_name": "No roles", "email": "x@acme.test", "language": "en"})
    assert response.status_code == 422 and 'id="id_roles_error"' in response.content.decode()


def test_change_roles(client, company, admin, sales, login):
    login(admin)
    assert "checked" in client.get(f"/admin/users/{sales.pk}/roles/").content.decode()
    response = client.post(f"/admin/users/{sales.pk}/roles/", {"roles": ["sales", "marketing"]})
    assert response.status_code == 302
    assert sorted(sales.memberships.values_list("role", flat=True)) == ["marketing", "sales"]


def test_an_admin_cannot_remove_their_own_admin_role(client, admin, login):
    response = login(admin).post(f"/admin/users/{admin.pk}/roles/", {"roles": ["sales"]})
    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in response.content.decode()


def test_roles_of_another_companys_user_are_not_found(client, other_company, admin, login):
    stranger = member(other_company, "sales")
    assert login(admin).get(f"/admin/users/{stranger.pk}/roles/").status_code == 404
    assert client.post(f"/admin/users/{stranger.pk}/active/", {"active": "0"}).status_code == 404


def test_deactivate_and_activate(client, company, admin, sales, login):
    login(admin)
    client.post(f"/admin/users/{sales.pk}/active/", {"active": "0"})
    sales.refresh_from_db()
    assert not sales.is_active
    client.post(f"/admin/users/{sales.pk}/active/", {"active": "1"})
    sales.refresh_from_db()
    assert sales.is_active
    response = client.post(f"/admin/users/{admin.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()


def test_company_settings_save_and_show_field_errors(client, company, admin, login):
    login(admin)
    form = {
        "name": "Acme Beograd",
        "base_currency": "RSD",
        "locale": "sr-latn",
        "time_zone": "Europe/Belgrade",
        "country": "RS",
        "tax_id": "",
        "fiscal_year_start_month": "1",
        "rounding": "half_up",
        "tax_rounding": "per_line",
    }
    assert client.post("/admin/company/", form).status_code == 302
    company.refresh_from_db()
    assert (company.name, company.base_currency, company.time_zone) == ("Acme Beograd", "RSD", "Europe/Belgrade")
    assert AuditEntry.objects.filter(target_type="core.company", action="updated").exists()
    response = client.post("/admin/company/", {**form, "name": "", "base_currency": "XXX1"})
    assert response.status_code == 422 and 'id="id_name_error"' in response.content.decode()
    assert Company.objects.get(pk=company.pk).name == "Acme Beograd"


@pytest.mark.parametrize("role, status", [("sales", 403), ("management", 200), ("admin", 200)])
def test_audit_log_is_for_management_and_admin(client, company, login, role, status):
    assert login(member(company, role)).get("/admin/audit/").status_code == status


def test_audit_log_filters_and_pages(client, company, other_company, admin, sales, login):
    # given changes by two people, and one in another company
    party(company, "By system")
    for n in range(3):
        services.party_create(actor=sales, company=company, data=services.PartyInput(kind="organisation", name=f"By Sava {n}"))
    party(other_company, "Foreign change")
    login(admin)
    content = client.get("/admin/audit/").content.decode()
    assert "By Sava 2" in content and "By system" in content and "Foreign change" not in content
    # when filtered by the person
    content = client.get(f"/admin/audit/?actor={sales.pk}").content.decode()
    assert "By Sava 0" in content and "By system" not in content
    assert "No audit entries match" in client.get("/admin/audit/?date_to=2000-01-01").content.decode()
    # a bad cursor or value never breaks the page
    assert client.get("/admin/audit/?cursor=nonsense&date_from=yesterday").status_code == 200


@pytest.fixture
def dead_letter(company):
    return make_dead_letter(party(company, "Bora Trade"), "Traceback: <boom>")


@pytest.mark.parametrize("role, status", [("sales", 403), ("management", 403), ("admin", 200)])
def test_outbox_is_for_administrators(client, company, login, role, status):
    assert login(member(company, role)).get("/admin/outbox/").status_code == status


def test_outbox_lists_dead_letters_and_replays_one(client, company, admin, login, dead_letter):
    # given a dead delivery
    login(admin)
    content = client.get("/admin/outbox/").content.decode()
    assert "core.party_created" in content and "Traceback: &lt;boom&gt;" in content
    assert "Undelivered events" in client.get("/").content.decode()
    # when the administrator replays it
    response = client.post("/admin/outbox/replay/", {"delivery": dead_letter.pk})
    # then it is queued again and audited
    assert response.status_code == 302
    assert EventDelivery.objects.get(pk=dead_letter.pk).status in ("pending", "done")
    assert AuditEntry.objects.filter(action="replayed").count() == 1
    assert "No dead letters" in client.get("/admin/outbox/").content.decode()


def test_outbox_replay_all_and_bad_input(client, company, other_company, admin, login, dead_letter):
    login(admin)
    assert client.post("/admin/outbox/replay/", {"delivery": "abc"}).status_code == 302
    foreign = party(other_company, "Globex")
    foreign_delivery = make_dead_letter(foreign)
    assert client.post("/admin/outbox/replay/", {"delivery": foreign_delivery.pk}).status_code == 404
    response = client.post("/admin/outbox/replay/", {"all": "1"}, follow=True)
    assert "1 delivery is queued again." in response.content.decode()


def test_audit_log_pages_through_every_entry_once(client, company, admin, login):
    # given more audit entries than one page holds (50)
    for n in range(55):
        party(company, f"Audited {n:02d}")
    login(admin)
    # when the administrator follows "Next page"
    first = client.get("/admin/audit/")
    cursor = first.context["page"].next_cursor
    second = client.get(f"/admin/audit/?cursor={cursor}")
    # then every entry is shown exactly once
    ids = [e.pk for e in first.context["page"].items] + [e.pk for e in second.context["page"].items]
    assert len(ids) == len(set(ids)) == 55
    assert second.context["page"].next_cursor is None
