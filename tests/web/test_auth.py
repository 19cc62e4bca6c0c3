from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
import time_machine
from django.core import mail

from spona.core import selectors
from tests.factories import PASSWORD, member, party


def test_login_page_renders_with_email_and_password(client, db):
    # when an anonymous visitor opens the login page
    response = client.get("/login/")
    # then it asks for e-mail and password
    assert response.status_code == 200
    assert b'name="email"' in response.content and b'name="password"' in response.content


def test_pages_need_login(client, db):
    response = client.get("/parties/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/parties/")


def test_login_sets_the_users_language_and_follows_next(client, company):
    # given a user who prefers Serbian in Cyrillic
    user = member(company, "sales", language="sr")
    # when they log in from a link to the party list
    response = client.post("/login/", {"email": user.email.upper(), "password": PASSWORD, "next": "/parties/"})
    # then they land there, in their language
    assert response.status_code == 302 and response["Location"] == "/parties/"
    assert response.cookies["django_language"].value == "sr"


def test_login_refuses_a_foreign_next(client, sales):
    response = client.post("/login/", {"email": sales.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_wrong_password_is_a_form_error_and_keeps_the_email(client, sales):
    response = client.post("/login/", {"email": sales.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.content.decode()
    assert f'value="{sales.email}"' in response.content.decode()


@pytest.mark.parametrize("attempts", [5])
def test_login_is_throttled_after_n_failures_even_with_the_right_password(client, sales, settings, attempts):
    # given the limit of failed attempts
    settings.LOGIN_THROTTLE_ATTEMPTS = attempts
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = 900
    # when someone fails that many times
    for _ in range(attempts):
        assert client.post("/login/", {"email": sales.email, "password": "wrong-password"}).status_code == 200
    # then even the right password is refused, with a clear wait time
    response = client.post("/login/", {"email": sales.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_counts_per_client_address_across_emails(client, company, settings):
    # given one address trying many different e-mails
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    victim = member(company, "sales")
    for n in range(3):
        client.post("/login/", {"email": f"guess{n}@acme.test", "password": "nope-nope-nope"})
    # when it tries a real account next
    response = client.post("/login/", {"email": victim.email, "password": PASSWORD})
    # then it is refused too
    assert response.status_code == 429


def test_a_successful_login_resets_the_count(client, sales, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(2):
        client.post("/login/", {"email": sales.email, "password": "wrong-password"})
    assert client.post("/login/", {"email": sales.email, "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    # two more failures are again below the limit
    for _ in range(2):
        client.post("/login/", {"email": sales.email, "password": "wrong-password"})
    assert client.post("/login/", {"email": sales.email, "password": PASSWORD}).status_code == 302


def test_a_deactivated_user_cannot_log_in(client, company):
    user = member(company, "sales", is_active=False)
    response = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_is_post_only(client, sales, login):
    login(sales)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_password_reset_mails_a_plain_link_that_sets_a_new_password(client, sales):
    # when the user asks for a reset
    response = client.post("/password/reset/", {"email": sales.email})
    assert response.status_code == 302
    # then they receive a plain-language e-mail with a link
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "choose a new password" in body and "&amp;" not in body
    link = re.search(r"http://testserver(/password/reset/\S+/)", body).group(1)
    # and the link lets them choose a new password
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/done/"
    sales.refresh_from_db()
    assert sales.check_password("a-new-Secret-42")


def test_password_reset_does_not_tell_whether_an_address_exists(client, db):
    response = client.post("/password/reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302 and len(mail.outbox) == 0


def test_password_change_shows_errors_on_the_fields(client, sales, login):
    login(sales)
    response = client.post(
        "/password/change/", {"old_password": "wrong", "new_password1": "x-Strong-pass-1", "new_password2": "x-Strong-pass-1"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_old_password_error"' in content and 'id="id_old_password_error"' in content
    response = client.post(
        "/password/change/", {"old_password": PASSWORD, "new_password1": "x-Strong-pass-1", "new_password2": "x-Strong-pass-1"}
    )
    assert response["Location"] == "/password/change/done/"


def test_staff_set_up_two_factor_on_their_account_page_and_log_in_with_a_code(client, sales):
    # given a staff user who set up and confirmed an authenticator app on their account page
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC), tick=False) as clock:
        client.force_login(sales)
        client.post("/account/two-factor/", {"action": "start"})
        totp = pyotp.TOTP(selectors.totp_pending_setup(sales).secret)
        assert totp.secret in client.get("/account/two-factor/").content.decode().replace(" ", "")
        assert client.post("/account/two-factor/", {"action": "enable", "code": totp.now()}).status_code == 200
        client.logout()
        # when they log in half a minute later, following a link to the party list
        clock.shift(30)
        response = client.post("/login/", {"email": sales.email, "password": PASSWORD, "next": "/parties/"})
        assert response["Location"] == "/login/code/"
        # then the app's code takes them on to the link
        response = client.post("/login/code/", {"code": totp.now()})
        assert response.status_code == 302 and response["Location"] == "/parties/"


def test_a_portal_contact_is_sent_to_the_portals_two_factor_page(client, company):
    contact = member(company, "portal", party=party(company, "Kupac d.o.o.", roles=["customer"]))
    client.force_login(contact)
    assert client.get("/account/two-factor/")["Location"] == "/portal/two-factor/"
