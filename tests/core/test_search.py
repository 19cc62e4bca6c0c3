"""Global search (core.search): the index follows the records, and nobody finds what they may not see."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.core import search, services
from spona.core.models import SearchEntry
from tests.factories import member, party


def titles(user, company, query, **kwargs):
    return [hit.title for hit in search.search(user=user, company=company, query=query, **kwargs)]


@pytest.fixture
def indexed(company, django_capture_on_commit_callbacks):
    """Parties registered through the service, indexed as after a real commit."""
    with django_capture_on_commit_callbacks(execute=True):
        made = {
            "bora": party(company, "Bora Trade d.o.o.", emails=["office@bora.rs"]),
            "jovana": party(company, "Jovana Petrović", kind="person", emails=["jovana@example.com"]),
            "djordje": party(company, "Đorđe Đukić", kind="person"),
        }
    return made


def test_records_are_found_by_the_start_of_their_words_without_diacritics(company, sales, indexed):
    # given parties indexed when their transaction committed
    # when a user types the start of words, with or without diacritics
    # then every word must match the start of a word of the record
    assert titles(sales, company, "bor") == ["Bora Trade d.o.o."]
    assert titles(sales, company, "petrovic") == ["Jovana Petrović"]
    assert titles(sales, company, "PETROVIĆ jov") == ["Jovana Petrović"]
    assert titles(sales, company, "djukic") == [] and titles(sales, company, "dukic") == ["Đorđe Đukić"]
    assert titles(sales, company, "office@bora") == ["Bora Trade d.o.o."]
    assert titles(sales, company, "bora petrovic") == []


def test_an_edit_is_found_under_its_new_name_once_committed(company, admin, sales, indexed, django_capture_on_commit_callbacks):
    bora = indexed["bora"]
    with django_capture_on_commit_callbacks(execute=True):
        services.party_update(
            actor=admin,
            company=company,
            party_id=bora.pk,
            version=bora.version,
            data=services.PartyInput(kind="organisation", name="Zora Export"),
        )
    assert titles(sales, company, "zora") == ["Zora Export"]
    assert titles(sales, company, "bora") == []


def test_a_rolled_back_transaction_leaves_nothing_in_the_index(company, sales, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as hooks, pytest.raises(RuntimeError), transaction.atomic():
        party(company, "Ghost Holdings")
        raise RuntimeError("the business rule failed later in the transaction")
    # the commit hook went with the transaction, so nothing was indexed
    assert hooks == []
    assert not SearchEntry.objects.filter(title="Ghost Holdings").exists()
    assert titles(sales, company, "ghost") == []


def test_a_deleted_or_merged_record_is_never_shown_even_with_a_stale_entry(company, admin, sales, indexed):
    # given an entry whose party was merged into another, and one whose party is gone
    services.party_merge(actor=admin, company=company, keep_id=indexed["djordje"].pk, merge_id=indexed["jovana"].pk)
    indexed["bora"].delete()
    # when searching before any re-indexing (nothing committed in this test)
    # then neither is offered
    assert SearchEntry.objects.filter(title__in=["Jovana Petrović", "Bora Trade d.o.o."]).count() == 2
    assert titles(sales, company, "jovana") == []
    assert titles(sales, company, "bora") == []


def test_nobody_finds_another_companys_records_or_kinds_their_roles_do_not_allow(company, other_company, indexed):
    stranger = member(other_company, "admin")
    portal = member(company, "portal", party=indexed["bora"])
    assert titles(stranger, other_company, "bora") == []
    assert titles(stranger, company, "bora") == []  # not a member: no kinds at all
    assert search.kinds_for(portal, company) == []
    assert titles(portal, company, "bora") == []


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=st.text(max_size=40))
def test_any_input_is_a_search_never_an_error(company, sales, indexed, query):
    # Quotes, stars, colons, ampersands and parentheses are full-text syntax on both engines.
    search.search(user=sales, company=company, query=query + ' " * : & | ! ( ) NEAR AND', limit=5)


def test_rebuild_restores_the_index_and_the_command_reports_it(company, sales, indexed):
    SearchEntry.objects.all().delete()
    assert titles(sales, company, "bora") == []
    out = StringIO()
    call_command("search", "--rebuild", "--company", company.code, stdout=out)
    assert "core.party: 3 records indexed" in out.getvalue()
    assert titles(sales, company, "bora") == ["Bora Trade d.o.o."]
    out = StringIO()
    call_command("search", "bora", "--company", company.code, "--user", sales.email, stdout=out)
    assert "Bora Trade d.o.o." in out.getvalue() and f"/parties/{indexed['bora'].pk}/" in out.getvalue()
