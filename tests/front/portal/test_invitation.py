"""Inviting a customer's contact: a signed link that expires, works once, and binds the login to the customer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from spona.core.errors import NotFound, PermissionDenied, ValidationFailed
from spona.core.models import AuditEntry, Event, Membership, User
from spona.front.portal import services
from tests.factories import member, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(company):
    return party(company, "Kupac d.o.o.", roles=["customer"])


def _invite(actor, company, customer, email="jelena@kupac.test"):
    return services.invitation_send(actor=actor, company=company, customer_id=customer.pk, email=email, full_name="Jelena Kupac")


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_accepting_creates_a_portal_login_bound_to_the_customer(company, customer, django_capture_on_commit_callbacks):
    # given a support agent
    agent = member(company, "support")
    # when she invites a contact of the customer
    with django_capture_on_commit_callbacks(execute=True):
        link = _invite(agent, company, customer)
    # then one e-mail carries the link, the customer's timeline and audit trail say so
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jelena@kupac.test"]
    assert link in mail.outbox[0].body
    assert Event.objects.filter(name="portal.user_invited", party=customer).count() == 1
    assert AuditEntry.objects.filter(action="portal_invited", target_id=str(customer.pk)).count() == 1
    # when the contact accepts with a password
    user = services.invitation_accept(token=_token(link), password="a-long-secret-42")
    # then she has exactly a portal membership for this customer, and the password works
    assert list(Membership.objects.filter(user=user).values_list("role", "party_id", "company_id")) == [
        ("portal", customer.pk, company.pk)
    ]
    assert user.check_password("a-long-secret-42") and user.full_name == "Jelena Kupac"
    assert Event.objects.filter(name="portal.invitation_accepted", party=customer).count() == 1


def test_a_used_invitation_is_refused(company, customer):
    # given an accepted invitation
    token = _token(_invite(member(company, "sales"), company, customer))
    services.invitation_accept(token=token, password="a-long-secret-42")
    # when the link is opened or accepted again, then it is refused and no second login exists
    with pytest.raises(services.InvitationUsed):
        services.invitation_read(token)
    with pytest.raises(services.InvitationUsed):
        services.invitation_accept(token=token, password="another-secret-43")
    assert User.objects.filter(email="jelena@kupac.test").count() == 1


def test_an_invitation_expires_after_the_configured_days(company, customer, settings):
    # given invitations that last 3 days
    settings.PORTAL_INVITATION_DAYS = 3
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        token = _token(_invite(member(company, "sales"), company, customer))
    # when it is opened on the second day, then it works
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        assert services.invitation_read(token).customer == customer
    # when it is accepted on the fourth day, then it has expired and nobody was created
    with time_machine.travel(start + dt.timedelta(days=3, minutes=1), tick=False), pytest.raises(services.InvitationExpired):
        services.invitation_accept(token=token, password="a-long-secret-42")
    assert not User.objects.filter(email="jelena@kupac.test").exists()


def test_an_altered_link_is_invalid(company, customer):
    token = _token(_invite(member(company, "sales"), company, customer))
    with pytest.raises(services.InvitationInvalid):
        services.invitation_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_only_staff_of_the_customers_company_may_invite(company, other_company, customer):
    # given staff of another company, a portal user and an IT member of this company
    with pytest.raises(PermissionDenied):
        _invite(member(other_company, "admin"), company, customer)
    with pytest.raises(PermissionDenied):
        _invite(member(company, "it"), company, customer)
    with pytest.raises(PermissionDenied):
        _invite(member(company, "portal", party=customer), company, customer)
    # when another company's administrator invites for our customer in their own company
    stranger = member(other_company, "admin")
    with pytest.raises(NotFound):
        _invite(stranger, other_company, customer)
    # then no e-mail went out
    assert mail.outbox == []


def test_refusals_say_what_is_wrong(company, customer):
    agent = member(company, "support", email="agent@acme.test")
    supplier = party(company, "Dobavljač d.o.o.", roles=["supplier"])
    with pytest.raises(ValidationFailed, match="not a customer"):
        _invite(agent, company, supplier)
    with pytest.raises(ValidationFailed) as taken:
        _invite(agent, company, customer, email="AGENT@acme.test")
    assert "email" in taken.value.field_errors
    with pytest.raises(ValidationFailed):
        _invite(agent, company, customer, email="not an address")


def test_a_weak_password_is_refused_and_the_link_still_works(company, customer):
    token = _token(_invite(member(company, "sales"), company, customer))
    with pytest.raises(ValidationFailed) as weak:
        services.invitation_accept(token=token, password="12345678")
    assert "password" in weak.value.field_errors
    assert services.invitation_accept(token=token, password="a-long-secret-42").is_active


def test_the_invitation_page_sets_the_password_and_opens_the_portal(client, company, customer):
    # given an invitation link
    token = _token(_invite(member(company, "sales"), company, customer))
    url = reverse("portal:invitation", kwargs={"token": token})
    # when the contact opens it, then she sees whom it is for
    page = client.get(url)
    assert page.status_code == 200 and "Kupac d.o.o." in page.content.decode()
    # when she gives two different passwords, then the form says so
    assert client.post(url, {"password": "a-long-secret-42", "password_again": "other"}).status_code == 422
    # when she gives a good password twice, then she lands on the portal, logged in
    done = client.post(url, {"password": "a-long-secret-42", "password_again": "a-long-secret-42"})
    assert done.status_code == 302 and done["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200
    # and the link now says it was used
    client.logout()
    again = client.get(url)
    assert again.status_code == 409 and "already used" in again.content.decode()


def test_staff_invite_from_the_customers_portal_access_page(client, company, customer, admin, django_capture_on_commit_callbacks):
    # given a person who works at the customer, with an e-mail address
    from spona.core import services as core

    person = party(company, "Jelena Kupac", kind="person", emails=["jelena@kupac.test"])
    core.party_link(actor=admin, company=company, from_party_id=person.pk, to_party_id=customer.pk, kind="works_at")
    client.force_login(member(company, "support"))
    url = reverse("portal:customer_access", kwargs={"pk": customer.pk})
    # when the agent opens the page, then the person is offered with one click
    page = client.get(url).content.decode()
    assert "Invite Jelena Kupac (jelena@kupac.test)" in page
    # when she invites her, then the e-mail goes out and the page lists her once she accepted
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"full_name": "Jelena Kupac", "email": "jelena@kupac.test", "language": "en"})
    assert response.status_code == 302
    link = re.search(r"https?://\S+/portal/invitation/\S+/", mail.outbox[0].body).group(0)
    services.invitation_accept(token=_token(link), password="a-long-secret-42")
    assert "jelena@kupac.test" in client.get(url).content.decode()
    # and the customer's 360° page shows who can log in
    panel = client.get(reverse("web:party_detail", args=[customer.pk])).content.decode()
    assert 'id="portal-panel"' in panel and "1 contact can log in" in panel


def test_an_administrator_deactivates_a_portal_login(client, company, customer, admin):
    # given a contact's portal login
    contact = member(company, "portal", party=customer, email="gone@kupac.test")
    url = reverse("portal:customer_login_active", kwargs={"pk": customer.pk})
    # when a sales rep tries, then only administrators may (as for any login)
    client.force_login(member(company, "sales"))
    client.post(url, {"user": contact.pk, "active": "0"})
    contact.refresh_from_db()
    assert contact.is_active
    # when the administrator deactivates it, then the contact can no longer open the portal
    client.force_login(admin)
    assert client.post(url, {"user": contact.pk, "active": "0"}).status_code == 302
    contact.refresh_from_db()
    assert not contact.is_active
    # and a staff login cannot be switched from a customer's page
    assert client.post(url, {"user": admin.pk, "active": "0"}).status_code == 404
