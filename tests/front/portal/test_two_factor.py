"""A customer's contact turns on two-factor login in the portal, then logs in with password and code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.core.cache import cache

from spona.core import selectors
from tests.factories import PASSWORD, member, party

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def contact(company):
    customer = party(company, "Kupac d.o.o.", roles=["customer"])
    return member(company, "portal", party=customer, full_name="Petra Portal", email="petra@kupac.test")


def _secret(html: str) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert found, html[:3000]
    return found.group(1).replace(" ", "")


def test_a_contact_sets_up_two_factor_and_then_needs_the_code_to_log_in(client, contact):
    with time_machine.travel(NOW, tick=False) as clock:
        # given the contact is logged in and opens their two-factor page
        client.force_login(contact)
        assert "Two-factor login is off." in client.get("/portal/two-factor/").content.decode()
        # when they start the setup, the page shows the key to type into the app and its otpauth:// link
        response = client.post("/portal/two-factor/", {"action": "start"}, follow=True)
        html = response.content.decode()
        secret = _secret(html)
        assert f"otpauth://totp/Spona:petra%40kupac.test?secret={secret}" in html
        # a wrong code keeps it off
        response = client.post("/portal/two-factor/", {"action": "enable", "code": "12345"})
        assert response.status_code == 422 and not selectors.two_factor_enabled(contact)
        # and the app's current code turns it on, showing the recovery codes once
        response = client.post("/portal/two-factor/", {"action": "enable", "code": pyotp.TOTP(secret).at(NOW)})
        assert response.status_code == 200
        recovery = re.findall(r"<li class=\"col\">([a-z2-7]{5}-[a-z2-7]{5})</li>", response.content.decode())
        assert len(recovery) == 10
        assert "recovery-codes" not in client.get("/portal/two-factor/").content.decode()
        client.logout()

        # when they log in again a minute later, the password alone does not log them in
        clock.move_to(NOW + timedelta(seconds=60))
        response = client.post("/login/", {"email": contact.email, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/login/code/"
        assert "_auth_user_id" not in client.session
        assert client.get("/portal/").status_code == 302
        # a wrong code is refused on the second step
        response = client.post("/login/code/", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
        assert response.status_code == 200 and "wrong or has expired" in response.content.decode()
        # then the current code logs them in, to the portal
        response = client.post("/login/code/", {"code": pyotp.TOTP(secret).at(NOW + timedelta(seconds=60))})
        assert response.status_code == 302 and response["Location"] == "/portal/"
        assert client.session["_auth_user_id"] == str(contact.pk)
        assert client.get("/portal/").status_code == 200
        client.logout()

        # and a recovery code stands in for a lost phone, once
        client.post("/login/", {"email": contact.email, "password": PASSWORD})
        response = client.post("/login/code/", {"code": recovery[0]}, follow=True)
        assert response.status_code == 200 and "9 are left" in response.content.decode()


def test_the_code_step_needs_the_password_step_first_and_expires(client, contact, settings):
    # without the password step, the code page sends back to the login
    assert client.get("/login/code/")["Location"] == "/login/"
    # with it, but after five minutes, too
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(contact)
        client.post("/portal/two-factor/", {"action": "start"})
        secret = selectors.totp_pending_setup(contact).secret
        client.post("/portal/two-factor/", {"action": "enable", "code": pyotp.TOTP(secret).at(NOW)})
        client.logout()
        client.post("/login/", {"email": contact.email, "password": PASSWORD})
        clock.move_to(NOW + timedelta(minutes=6))
        response = client.post("/login/code/", {"code": pyotp.TOTP(secret).at(NOW + timedelta(minutes=6))})
        assert response["Location"] == "/login/"
        assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_lock_the_second_step(client, contact, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    with time_machine.travel(NOW, tick=False):
        client.force_login(contact)
        client.post("/portal/two-factor/", {"action": "start"})
        secret = selectors.totp_pending_setup(contact).secret
        client.post("/portal/two-factor/", {"action": "enable", "code": pyotp.TOTP(secret).at(NOW)})
        client.logout()
        client.post("/login/", {"email": contact.email, "password": PASSWORD})
        for guess in ("100000", "200000"):
            client.post("/login/code/", {"code": guess})
        response = client.post("/login/code/", {"code": pyotp.TOTP(secret).at(NOW + timedelta(seconds=30))})
        assert response.status_code == 429 and "Too many failed attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_the_password(client, contact):
    with time_machine.travel(NOW, tick=False):
        client.force_login(contact)
        client.post("/portal/two-factor/", {"action": "start"})
        secret = selectors.totp_pending_setup(contact).secret
        client.post("/portal/two-factor/", {"action": "enable", "code": pyotp.TOTP(secret).at(NOW)})
        response = client.post("/portal/two-factor/", {"action": "disable", "password": "wrong-password"})
        assert response.status_code == 422 and selectors.two_factor_enabled(contact)
        response = client.post("/portal/two-factor/", {"action": "disable", "password": PASSWORD})
        assert response.status_code == 302 and not selectors.two_factor_enabled(contact)
