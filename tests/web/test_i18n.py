from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core import mail

from tests.factories import PASSWORD, member

LOCALE = Path(__file__).resolve().parents[2] / "src" / "spona" / "locale"
CATALOGS = ["sr_Latn", "sr"]


def _catalog(locale):
    with open(LOCALE / locale / "LC_MESSAGES" / "django.po", "rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture
def compiled_translations(tmp_path, settings):
    # Compile the catalogs here, as `make messages` does, so the test does not depend on a build step.
    for locale in CATALOGS:
        target = tmp_path / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "django.mo", "wb") as f:
            write_mo(f, _catalog(locale))
    settings.LOCALE_PATHS = [tmp_path]


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_shell_string_is_translated(locale):
    catalog = _catalog(locale)
    shell = [m for m in catalog if m.id and any(path.startswith(("web/", "settings.py")) for path, _line in m.locations)]
    assert len(shell) > 150
    untranslated = [m.id for m in shell if not (all(m.string) if isinstance(m.string, tuple) else m.string) or m.fuzzy]
    assert untranslated == []


def test_cyrillic_catalog_is_cyrillic_and_keeps_placeholders():
    catalog = _catalog("sr")
    assert catalog.get("Customers & contacts").string == "Купци и контакти"
    for message in catalog:
        if message.id and isinstance(message.id, str):
            for placeholder in ("%(name)s", "%(company)s", "%(email)s"):
                assert (placeholder in message.id) == (placeholder in message.string), message.id


@pytest.mark.parametrize(
    "language, expected", [("sr-latn", "Kupci i kontakti"), ("sr", "Купци и контакти"), ("en", "Customers &amp; contacts")]
)
def test_language_switcher_changes_the_language(client, sales, login, compiled_translations, language, expected):
    # given a logged-in user on the party list
    login(sales)
    # when they choose a language in the top bar
    response = client.post("/language/", {"language": language, "next": "/parties/"})
    # then they come back to the same page, now in that language
    assert response.status_code == 302 and response["Location"] == "/parties/"
    content = client.get("/parties/").content.decode()
    assert expected in content
    assert f'<html lang="{language}">' in content


def test_the_chosen_language_is_remembered_for_the_next_login(client, sales, login, compiled_translations):
    # given a user who picks Serbian (Cyrillic) in the top bar
    login(sales).post("/language/", {"language": "sr", "next": "/"})
    sales.refresh_from_db()
    assert sales.language == "sr"
    # when they log in again from a browser that has no language cookie
    client.logout()
    client.cookies.clear()
    client.post("/login/", {"email": sales.email, "password": PASSWORD})
    # then Spona speaks Serbian to them
    assert "Почетна" in client.get("/").content.decode()


def test_a_language_spona_does_not_offer_is_not_remembered(client, sales, login):
    login(sales).post("/language/", {"language": "xx", "next": "/"})
    sales.refresh_from_db()
    assert sales.language == "en"


def test_login_page_and_errors_in_serbian(client, sales, compiled_translations, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 1
    client.cookies["django_language"] = "sr-latn"
    content = client.post("/login/", {"email": sales.email, "password": "wrong-password"}).content.decode()
    assert "Adresa e-pošte ili lozinka nije ispravna." in content
    content = client.post("/login/", {"email": sales.email, "password": PASSWORD}).content.decode()
    assert "Previše neuspelih pokušaja. Pokušajte ponovo za 15 minuta." in content


def test_the_users_language_applies_at_login(client, company, compiled_translations):
    user = member(company, "sales", language="sr")
    client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert "Почетна" in client.get("/").content.decode()


def test_invitation_is_written_in_the_new_users_language(client, admin, login, compiled_translations):
    login(admin).post(
        "/admin/users/invite/", {"full_name": "Marko Marković", "email": "marko@acme.test", "roles": ["sales"], "language": "sr"}
    )
    message = mail.outbox[0]
    assert message.subject == "Позвани сте у Спону предузећа Acme d.o.o."
    assert "Здраво, Марко Марковић" not in message.body  # names are data, never transliterated
    assert "Здраво, Marko Marković" in message.body
