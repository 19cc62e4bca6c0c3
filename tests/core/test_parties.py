from __future__ import annotations

import pytest

from spona.core import selectors, services
from spona.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from spona.core.models import AuditEntry, Event, Party, Relationship, TimelineEntry
from spona.core.services import AddressInput, PartyInput
from tests.factories import deliver_events, member, party


def test_creating_a_party_normalises_contact_data_and_publishes(company, sales):
    # given a sales user
    # when they register an organisation with messy contact data
    org = services.party_create(
        actor=sales,
        company=company,
        data=PartyInput(
            kind="organisation",
            name="  Bora Trade d.o.o. ",
            emails=["Office@Bora.RS"],
            phones=["011 3234 567"],
            tax_id="101134702",
            tax_country="rs",
            roles=["customer"],
            tags=["VIP", "vip"],
            addresses=[AddressInput(line1="Knez Mihailova 1", city="Beograd", country="rs", postal_code="11000")],
        ),
    )
    # then it is stored normalised, audited, and the event is on its timeline
    assert org.name == "Bora Trade d.o.o."
    assert sorted(org.contact_points.values_list("value", flat=True)) == ["+381113234567", "office@bora.rs"]
    assert org.tax_country == "RS"
    assert list(org.tags.values_list("name", flat=True)) == ["VIP"]
    assert org.addresses.get().country == "RS"
    assert AuditEntry.objects.filter(target_type="core.party", target_id=str(org.pk), action="created").exists()
    assert Event.objects.filter(name="core.party_created", party=org).count() == 1
    deliver_events()
    assert TimelineEntry.objects.filter(party=org).count() == 1


def test_invalid_input_reports_every_field_and_saves_nothing(company, sales):
    with pytest.raises(ValidationFailed) as caught:
        services.party_create(
            actor=sales,
            company=company,
            data=PartyInput(kind="organisation", name="", emails=["not-an-email"], phones=["12"], tax_id="123", tax_country="RS"),
        )
    assert {"name", "emails", "phones", "tax_id"} <= set(caught.value.field_errors)
    assert Party.objects.count() == 0


def test_person_name_is_built_from_given_and_family_name(company, sales):
    person = services.party_create(
        actor=sales, company=company, data=PartyInput(kind="person", given_name="Jovana", family_name="Petrović")
    )
    assert person.name == "Jovana Petrović"


def test_stale_edit_is_refused(company, sales):
    # given a party two users opened at version 1
    org = party(company, "Stale Ltd")
    services.party_update(
        actor=sales, company=company, party_id=org.pk, version=1, data=PartyInput(kind="organisation", name="First")
    )
    # when the second saves with the version they read
    # then the change is refused, not silently overwritten (QUALITY C2)
    with pytest.raises(Conflict):
        services.party_update(
            actor=sales, company=company, party_id=org.pk, version=1, data=PartyInput(kind="organisation", name="Second")
        )
    assert Party.objects.get(pk=org.pk).name == "First"


def test_update_records_old_and_new_values(company, sales):
    org = party(company, "Old Name")
    services.party_update(
        actor=sales, company=company, party_id=org.pk, version=1, data=PartyInput(kind="organisation", name="New Name")
    )
    entry = AuditEntry.objects.get(target_id=str(org.pk), action="updated")
    assert entry.changes["name"] == ["Old Name", "New Name"]
    assert entry.actor == sales


def test_roles_without_party_permission_cannot_write(company):
    it_user = member(company, "it")
    with pytest.raises(PermissionDenied):
        services.party_create(actor=it_user, company=company, data=PartyInput(kind="organisation", name="X"))


def test_other_company_party_is_not_found(company, other_company, sales):
    foreign = party(other_company, "Foreign Ltd")
    with pytest.raises(NotFound):
        selectors.party_get(user=sales, company=company, party_id=foreign.pk)


def test_link_person_to_organisation_shows_on_both_timelines(company, sales):
    org = party(company, "Link Org")
    person = party(company, kind="person", given_name="Mila", family_name="Ilić")
    rel = services.party_link(
        actor=sales, company=company, from_party_id=person.pk, to_party_id=org.pk, kind="works_at", title="CFO"
    )
    assert rel.title == "CFO"
    deliver_events()
    assert TimelineEntry.objects.filter(party=org, event__name="core.parties_linked").exists()
    assert TimelineEntry.objects.filter(party=person, event__name="core.parties_linked").exists()


def test_organisation_cannot_work_at_a_person(company, sales):
    org = party(company, "Org")
    person = party(company, kind="person", given_name="Ivo", family_name="Ivić")
    with pytest.raises(ValidationFailed):
        services.party_link(actor=sales, company=company, from_party_id=org.pk, to_party_id=person.pk, kind="works_at")


def test_duplicates_are_found_by_name_email_and_tax_id(company, sales):
    original = party(company, "Đorđević Export", emails=["sales@export.rs"])
    same_email = party(company, "Something Else", emails=["SALES@export.rs"])
    same_name = party(company, "DJORDJEVIC export")
    unrelated = party(company, "Zeta Systems")
    found = selectors.party_duplicates(user=sales, company=company, party=original)
    assert {p.pk for p in found} == {same_email.pk, same_name.pk}
    assert unrelated.pk not in {p.pk for p in found}


def test_merge_repoints_every_reference(company, admin):
    # given two records of the same customer, each with links, roles and timeline entries
    keep = party(company, "Merge Keep", roles=["customer"], tags=["A"])
    dup = party(company, "Merge Keep (dup)", roles=["customer", "supplier"], tags=["B"], website="https://dup.example")
    person = party(company, kind="person", given_name="Petar", family_name="Perić")
    services.party_link(actor=admin, company=company, from_party_id=person.pk, to_party_id=dup.pk, kind="works_at")
    services.party_link(actor=admin, company=company, from_party_id=keep.pk, to_party_id=dup.pk, kind="related_to")
    deliver_events()
    # when the duplicate is merged into the one to keep
    result = services.party_merge(actor=admin, company=company, keep_id=keep.pk, merge_id=dup.pk)
    # then every reference points at the kept party and the duplicate forwards to it
    assert set(result.roles.values_list("role", flat=True)) == {"customer", "supplier"}
    assert set(result.tags.values_list("name", flat=True)) == {"A", "B"}
    assert result.website == "https://dup.example"
    assert Relationship.objects.filter(to_party=keep, from_party=person).exists()
    assert not Relationship.objects.filter(from_party=keep, to_party=keep).exists()
    assert not TimelineEntry.objects.filter(party=dup).exists()
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk and not dup.is_active
    assert selectors.party_get(user=admin, company=company, party_id=dup.pk).pk == keep.pk


def test_merge_needs_management_or_admin(company, sales):
    a, b = party(company, "A"), party(company, "B")
    with pytest.raises(PermissionDenied):
        services.party_merge(actor=sales, company=company, keep_id=a.pk, merge_id=b.pk)


def test_keyset_pagination_walks_every_party_once(company, sales):
    for i in range(25):
        party(company, f"Page {i:02d}")
    seen, cursor = [], None
    while True:
        page = selectors.party_list(user=sales, company=company, cursor=cursor, limit=10)
        seen += [p.name for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(seen) and len(seen) == 25 and len(set(seen)) == 25


def test_bad_cursor_is_a_validation_error(company, sales):
    with pytest.raises(ValidationFailed):
        selectors.party_list(user=sales, company=company, cursor="not-a-cursor")


def test_party_list_query_count_does_not_grow_with_rows(company, sales, django_assert_max_num_queries):
    for i in range(30):
        party(company, f"Q {i}", emails=[f"q{i}@example.rs"], roles=["customer"], tags=["t"])
    with django_assert_max_num_queries(6):
        page = selectors.party_list(user=sales, company=company, limit=30)
        for p in page.items:
            list(p.roles.all()), list(p.tags.all()), list(p.contact_points.all())
