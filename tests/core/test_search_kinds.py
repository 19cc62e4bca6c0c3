"""Every department's records in global search (issue 7): found by their key fields, by those who may see them only."""

from __future__ import annotations

import pytest

from spona.core import search
from spona.core.models import SearchEntry
from spona.front.crm import services as crm
from spona.front.support.models import Article
from tests.factories import member
from tests.web.world360 import Everything, everything

KINDS = {
    "crm.lead",
    "crm.opportunity",
    "sales.quotation",
    "sales.order",
    "finance.invoice",
    "finance.bill",
    "finance.payment",
    "support.ticket",
    "support.article",
    "support.help_article",
    "inventory.product",
    "purchasing.order",
    "production.order",
}


def found(user, company, query: str) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in search.search(user=user, company=company, query=query, limit=50)}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(company, django_capture_on_commit_callbacks) -> Everything:
    with django_capture_on_commit_callbacks(execute=True):
        return everything(company)


def test_every_department_registers_its_kinds():
    assert set(search.KINDS) >= KINDS


def test_each_kind_is_found_by_its_key_fields(company, admin, world):
    # given a customer known to every department, indexed as each transaction committed
    w = world
    # when an administrator (who may see every kind) searches by each record's key fields
    # then the record is among the results, under its own kind
    expectations = {
        ("crm.lead", w.lead.pk): ["novi kupac", "petar", "petar@novi"],
        ("crm.opportunity", w.opportunity.pk): ["office chairs", "kupac"],
        ("sales.quotation", w.quotation.pk): [w.quotation.number, "kupac"],
        ("sales.order", w.order.pk): [w.order.number, "kupac"],
        ("finance.invoice", w.invoice.pk): [w.invoice.number, "kupac", "PO-4711"],
        ("finance.bill", w.bill.pk): ["vijci", "VIJ-77"],
        ("finance.payment", w.payment.pk): ["9981", "kupac received"],
        ("support.ticket", w.ticket.pk): [w.ticket.number, "wobbles", "kupac"],
        ("support.article", w.internal_article.pk): ["refund", "ask finance"],
        ("support.article", w.public_article.pk): ["assembling"],
        ("inventory.product", w.product.pk): ["chair", "CHAIR"],
        ("purchasing.order", w.purchase_order.pk): [w.purchase_order.number, "vijci", "VIJ-OFFER"],
        ("production.order", w.production_order.pk): [w.production_order.number, "MTO-1", "desk"],
    }
    for record, queries in expectations.items():
        for query in queries:
            assert record in found(admin, company, query), (record, query)


def test_hits_open_the_records_page(company, admin, world):
    hits = {hit.kind: hit for hit in search.search(user=admin, company=company, query="kupac", limit=50)}
    assert hits["finance.invoice"].url == f"/finance/documents/{world.invoice.pk}/"
    assert hits["finance.payment"].url == f"/finance/entries/{world.payment.entry_id}/"
    assert hits["sales.order"].title == world.order.number


ROLES = {
    "sales": ({"crm.lead", "crm.opportunity", "sales.order", "inventory.product"}, {"finance.invoice", "support.ticket"}),
    "support": ({"support.ticket", "support.article"}, {"crm.opportunity", "finance.invoice", "sales.order"}),
    "finance": ({"finance.invoice", "finance.payment", "sales.order"}, {"crm.lead", "support.ticket"}),
    "operations": ({"purchasing.order", "production.order", "inventory.product"}, {"finance.bill", "sales.order"}),
    "hr": (set(), {"crm.lead", "finance.invoice", "support.ticket", "inventory.product", "production.order"}),
}


def test_a_user_finds_only_the_kinds_of_their_roles(company, world):
    for role, (sees, does_not_see) in ROLES.items():
        # given a user with one department role
        user = member(company, role)
        # when they search for words the records of every department share
        kinds = {kind for query in ("kupac", "vijci", "chair", "petar") for kind, _pk in found(user, company, query)}
        # then they find their department's kinds and none of the others
        assert sees <= kinds, role
        assert not kinds & does_not_see, role


def test_internal_articles_are_for_support_and_public_ones_for_every_colleague(company, world):
    # given an internal and a published public article
    agent, seller = member(company, "support"), member(company, "sales")
    # then an agent finds both under the knowledge base and opens the editor's page
    assert ("support.article", world.internal_article.pk) in found(agent, company, "refund")
    assert ("support.article", world.public_article.pk) in found(agent, company, "assembling")
    assert ("support.help_article", world.public_article.pk) not in found(agent, company, "assembling")
    # and a salesperson finds only the public one, on the help centre
    assert found(seller, company, "refund") == set()
    hits = search.search(user=seller, company=company, query="assembling")
    assert [(h.kind, h.url) for h in hits] == [("support.help_article", f"/help/{company.code}/{world.public_article.slug}/")]


def test_nobody_finds_another_companys_records(company, other_company, world):
    # given an administrator of another company
    stranger = member(other_company, "admin")
    # then none of this company's records are found, in either company
    for query in ("kupac", "vijci", "chair", world.invoice.number):
        assert found(stranger, other_company, query) == set()
        assert found(stranger, company, query) == set()


def test_the_index_follows_updates_and_deletes(company, admin, world, django_capture_on_commit_callbacks):
    # given a lead found by its company name
    assert ("crm.lead", world.lead.pk) in found(admin, company, "novi")
    # when it is renamed through its service
    with django_capture_on_commit_callbacks(execute=True):
        crm.lead_update(
            actor=admin, company=company, lead_id=world.lead.pk, version=world.lead.version,
            data=crm.LeadInput(contact_name="Petar Kupac", company_name="Stari Kupac", email="petar@stari.rs"),
        )  # fmt: skip
    # then it is found under the new name only
    assert ("crm.lead", world.lead.pk) in found(admin, company, "stari")
    assert ("crm.lead", world.lead.pk) not in found(admin, company, "novi")
    # when an article is unpublished, the help-centre entry goes, and when deleted, every entry goes
    article = world.public_article
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk=article.pk).update(is_published=False)
        search.reindex("support.help_article", [article.pk])
        article.delete()
    assert not SearchEntry.objects.filter(object_id=article.pk, kind__startswith="support.").exists()


def test_a_rebuild_indexes_rows_written_in_bulk(company, admin, world):
    # given rows whose index entries are gone, as after rows written with bulk_create
    SearchEntry.objects.filter(company=company).exclude(kind="core.party").delete()
    assert found(admin, company, "kupac") <= {("core.party", world.customer.pk)}
    # when the demo's last step rebuilds the company's index
    counts = search.rebuild(company=company)
    # then every kind is back
    assert {kind for kind, n in counts.items() if n} >= KINDS
    assert ("finance.invoice", world.invoice.pk) in found(admin, company, "kupac")
