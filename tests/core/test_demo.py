from __future__ import annotations

import random
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import transaction
from stdnum import util as stdnum_util

from spona.core import demo
from spona.core.models import AuditEntry, ContactPoint, Event, EventDelivery, Membership, Party, TimelineEntry, User

SMALL = {"organisations": 12, "persons": 16}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Twelve Argon2 hashes per build cost seconds; the hash algorithm is not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def kernel_steps_only(monkeypatch):
    # These tests are about the kernel's demo machinery and data; each domain app tests its own
    # steps, and tests/flows/test_demo_company.py builds the whole company once.
    monkeypatch.setattr(demo, "_STEPS", {name: step for name, step in demo._STEPS.items() if name.startswith("core.")})


class Rollback(Exception):
    pass


def snapshot() -> list[tuple[str, str, str, list[str]]]:
    """Names, tax ids and contact data of the demo parties in creation order."""
    rows = []
    for party in Party.objects.order_by("pk").prefetch_related("contact_points"):
        rows.append((party.name, party.tax_id, party.tax_country, sorted(c.value for c in party.contact_points.all())))
    return rows


def test_the_demo_is_the_same_on_every_fresh_database(db):
    # given a first build on an empty database, rolled back afterwards
    with pytest.raises(Rollback), transaction.atomic():
        demo.build(**SMALL)
        first = snapshot()
        raise Rollback
    assert Party.objects.count() == 0
    # when it is built again from scratch
    demo.build(**SMALL)
    # then every name, tax id, e-mail and phone is the same, and the first records are pinned
    second = snapshot()
    assert second == first
    assert len(second) == SMALL["organisations"] + SMALL["persons"]
    assert second[0][:3] == ("Hrast Elektro a.d.", "103527643", "RS")


def test_generated_tax_ids_phones_and_e_mails_are_valid(db):
    # given the demo company
    demo.build(**SMALL)
    # then every tax id passes python-stdnum for its country, every phone and e-mail validates
    organisations = Party.objects.filter(kind=Party.Kind.ORGANISATION)
    assert organisations.count() == SMALL["organisations"]
    for org in organisations:
        module = stdnum_util.get_cc_module(org.tax_country.lower(), "vat")
        assert module.is_valid(org.tax_id), (org.name, org.tax_id)
    for point in ContactPoint.objects.all():
        if point.kind == ContactPoint.Kind.PHONE:
            assert phonenumbers.is_valid_number(phonenumbers.parse(point.value)), point.value
        else:
            validate_email(point.value)
            assert point.value.endswith(".example"), "demo mail must never reach a real mailbox"


@pytest.mark.parametrize("country", sorted(demo.CITIES))
def test_tax_id_generator_gives_valid_numbers_for_every_country(country):
    # given a seeded generator
    rng = random.Random(country)
    module = stdnum_util.get_cc_module(country.lower(), "vat")
    # when 500 numbers are made
    numbers = [demo.tax_id(country, rng) for _ in range(500)]
    # then python-stdnum accepts every one of them (0 invalid out of 500)
    invalid = [n for n in numbers if not module.is_valid(n)]
    print(f"{country}: {len(numbers) - len(invalid)}/500 tax ids valid")
    assert invalid == []


def test_mod_11_10_check_digit_matches_known_numbers():
    # Published examples: a Serbian PIB and a German USt-IdNr.
    assert demo._mod_11_10("10113470") == "101134702"
    assert demo._mod_11_10("13669597") == "136695976"


def test_the_demo_has_a_login_per_role_and_a_portal_user(db):
    # when the demo is built
    result = demo.build(**SMALL)
    # then each department role has one user with the shared password
    for login in result.logins:
        user = User.objects.get(email=login.email)
        assert user.check_password(demo.PASSWORD)
        assert Membership.objects.filter(user=user, company=result.company, role=login.role).exists()
    assert {login.role for login in result.logins} >= {
        "sales", "support", "marketing", "finance", "hr", "payroll", "it", "legal", "operations", "management", "admin",
    }  # fmt: skip
    # and the portal user sees one customer
    portal = Membership.objects.get(role="portal")
    assert portal.party.roles.filter(role="customer").exists()
    assert result.company.country == "RS" and result.company.base_currency == "EUR"


def test_events_are_delivered_so_timelines_and_audit_are_filled(db):
    # when the demo is built
    demo.build(**SMALL)
    # then each party has its timeline, nothing is left pending, and every creation was audited
    assert not EventDelivery.objects.filter(status=EventDelivery.Status.PENDING).exists()
    assert set(TimelineEntry.objects.values_list("party_id", flat=True)) == set(Party.objects.values_list("pk", flat=True))
    assert AuditEntry.objects.filter(target_type="core.party", action="created").count() == Party.objects.count()
    persons = Party.objects.filter(kind=Party.Kind.PERSON)
    assert all(p.relationships_out.filter(kind="works_at").exclude(title="").exists() for p in persons)


def test_a_second_run_changes_nothing(db):
    # given the demo company
    demo.build(**SMALL)
    before = (Party.objects.count(), AuditEntry.objects.count(), Event.objects.count(), User.objects.count())
    # when the demo is built again
    result = demo.build(**SMALL)
    # then it says so and nothing was added
    assert result.created is False
    assert (Party.objects.count(), AuditEntry.objects.count(), Event.objects.count(), User.objects.count()) == before


def test_domain_apps_add_their_own_steps(db, monkeypatch):
    # given a step registered by another app
    seen = []

    def build_things(ctx: demo.DemoContext) -> None:
        seen.append((ctx.company.code, len(ctx.records["organisations"]), "sales" in ctx.users, ctx.rng.random()))

    demo.register_step("test.things", build_things, order=500)
    # when the demo is built
    demo.build(**SMALL)
    # then the step ran after the core steps, with its own seed
    assert seen == [(demo.COMPANY_CODE, SMALL["organisations"], True, random.Random(f"{demo.SEED}:test.things").random())]
    names = [s.name for s in demo.steps()]
    assert names.index("test.things") == names.index("core.search_index") - 1
    with pytest.raises(ValueError):
        demo.register_step("test.things", lambda ctx: None)


def test_demo_command_reports_what_it_built_and_is_idempotent(db):
    # when the command runs twice
    first, second = StringIO(), StringIO()
    call_command("demo", "--organisations", "4", "--persons", "3", stdout=first)
    call_command("demo", "--organisations", "4", "--persons", "3", stdout=second)
    # then the first builds and prints the logins, the second says it changed nothing
    assert "4 organisations, 3 persons" in first.getvalue()
    assert "sales@demo.spona.test" in first.getvalue()
    assert demo.PASSWORD in first.getvalue()
    assert "already exists; nothing was changed" in second.getvalue()
    assert Party.objects.count() == 7
