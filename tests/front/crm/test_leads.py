"""Leads: capture, validation, stale edits, statuses, scoring, duplicates and qualification."""

from __future__ import annotations

from decimal import Decimal

import pytest

from spona.core.errors import Conflict, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Party, Relationship, TimelineEntry
from spona.front.crm import selectors, services
from spona.front.crm.models import Lead
from tests.factories import deliver_events, member, party
from tests.front.crm.factories import lead

pytestmark = pytest.mark.django_db


def test_a_lead_needs_a_contact_or_company_name(company, sales):
    # given a lead with neither name
    data = services.LeadInput(email="x@acme.test")
    # when / then the service refuses it with a field error
    with pytest.raises(ValidationFailed) as exc:
        services.lead_create(actor=sales, company=company, data=data)
    assert "contact_name" in exc.value.field_errors


def test_a_bad_email_and_phone_are_field_errors(company, sales):
    with pytest.raises(ValidationFailed) as exc:
        lead(company, sales, email="not-an-email", phone="12")
    assert set(exc.value.field_errors) >= {"email", "phone"}


def test_a_user_without_crm_role_cannot_create_leads(company):
    # given a support user
    support = member(company, "support")
    # when / then
    with pytest.raises(PermissionDenied):
        lead(company, support)


def test_a_stale_edit_is_a_conflict_not_an_overwrite(company, sales):
    # given a lead that someone edited after we read version 1
    first = lead(company, sales, company_name="Nova Trade")
    services.lead_update(
        actor=sales, company=company, lead_id=first.pk, version=1, data=services.LeadInput(company_name="Nova Trade d.o.o.")
    )
    # when we save our edit against version 1
    with pytest.raises(Conflict):
        services.lead_update(
            actor=sales, company=company, lead_id=first.pk, version=1, data=services.LeadInput(company_name="Mine")
        )
    # then the other edit stays
    first.refresh_from_db()
    assert first.company_name == "Nova Trade d.o.o." and first.version == 2


def test_disqualifying_needs_a_reason(company, sales):
    item = lead(company, sales)
    with pytest.raises(ValidationFailed):
        services.lead_set_status(actor=sales, company=company, lead_id=item.pk, status="disqualified")
    services.lead_set_status(actor=sales, company=company, lead_id=item.pk, status="disqualified", reason="No budget")
    item.refresh_from_db()
    assert (item.status, item.disqualify_reason) == ("disqualified", "No budget")


def test_score_counts_fields_source_business_domain_and_activities(company, sales):
    # given a referral lead with every field and a business e-mail
    item = lead(
        company,
        sales,
        contact_name="Mila Ilić",
        company_name="Nova",
        email="mila@nova.rs",
        phone="+381 11 3226 789",
        source="referral",
    )
    # then 4 fields × 10 + referral 20 + business domain 15 = 75, with reasons
    assert item.score == 75
    assert {"points": 15, "reason": "business e-mail domain nova.rs"} in item.score_reasons
    # when two activities are logged on it
    for subject in ("Call", "Meeting"):
        services.activity_create(
            actor=sales, company=company, kind="call", subject=subject, due_at=item.created_at, lead_id=item.pk
        )
    item.refresh_from_db()
    # then it earns 2 × 5 more
    assert item.score == 85


def test_free_mail_earns_no_domain_points(company, sales):
    item = lead(company, sales, contact_name="Mila", email="mila@gmail.com")
    assert item.score == 20
    assert all("domain" not in r["reason"] for r in item.score_reasons)


def test_duplicates_are_found_among_parties(company, sales):
    # given a registered organisation and a person with the lead's e-mail
    org = party(company, "NOVA TRADÉ")
    person = party(company, "Mila Ilić", kind="person", emails=["mila@nova.rs"])
    # when a lead arrives with the same names
    item = lead(company, sales, contact_name="Mila Ilic", company_name="Nova Trade", email="MILA@nova.rs")
    # then both parties are shown as possible duplicates
    found = {p.pk for p in selectors.lead_duplicates(user=sales, company=company, lead=item)}
    assert {org.pk, person.pk} <= found


def test_qualify_creates_organisation_and_contact_parties(company, sales):
    # given a lead whose parties do not exist yet
    item = lead(company, sales, contact_name="Mila Ilić", company_name="Nova Trade", email="mila@nova.rs")
    # when it is qualified
    opp = services.lead_qualify(actor=sales, company=company, lead_id=item.pk, expected_revenue=Decimal("1200"))
    # then the organisation is a prospect, the person its contact who works there
    org = Party.objects.get(company=company, name="Nova Trade")
    person = Party.objects.get(company=company, name="Mila Ilić")
    assert set(org.roles.values_list("role", flat=True)) == {"prospect"}
    assert set(person.roles.values_list("role", flat=True)) == {"contact"}
    assert Relationship.objects.filter(from_party=person, to_party=org, kind="works_at").exists()
    assert (opp.party, opp.contact, opp.expected_revenue, opp.currency) == (org, person, Decimal("1200.0000"), "EUR")
    item.refresh_from_db()
    assert item.status == "qualified" and item.opportunity == opp
    # and the organisation's timeline shows the qualification and the new opportunity
    deliver_events()
    titles = list(TimelineEntry.objects.filter(party=org).values_list("title", flat=True))
    assert "Lead Nova Trade qualified" in titles
    assert any(t.startswith("Opportunity Nova Trade opened") for t in titles)


def test_qualify_reuses_existing_parties(company, sales):
    # given the organisation (other spelling) and the person (same e-mail) exist
    org = party(company, "NOVA TRADE")
    person = party(company, "M. Ilić", kind="person", emails=["mila@nova.rs"])
    item = lead(company, sales, contact_name="Mila Ilić", company_name="Nova Trade", email="mila@nova.rs")
    # when
    opp = services.lead_qualify(actor=sales, company=company, lead_id=item.pk)
    # then nothing new was registered
    assert Party.objects.filter(company=company).count() == 2
    assert (opp.party_id, opp.contact_id) == (org.pk, person.pk)


def test_qualify_uses_chosen_parties_and_refuses_twice(company, sales):
    org = party(company, "Chosen Ltd")
    item = lead(company, sales, contact_name="", company_name="Something else")
    opp = services.lead_qualify(actor=sales, company=company, lead_id=item.pk, organisation_id=org.pk)
    assert opp.party_id == org.pk and opp.contact_id is None
    with pytest.raises(StateError):
        services.lead_qualify(actor=sales, company=company, lead_id=item.pk)


def test_qualify_refuses_a_party_of_another_company(company, other_company, sales):
    foreign = party(other_company, "Foreign")
    item = lead(company, sales)
    with pytest.raises(ValidationFailed):
        services.lead_qualify(actor=sales, company=company, lead_id=item.pk, organisation_id=foreign.pk)
    assert Lead.objects.get(pk=item.pk).status == "new"


def test_a_lead_without_company_becomes_an_opportunity_of_the_person(company, sales):
    item = lead(company, sales, contact_name="Petar Petrović", email="petar@example.rs")
    opp = services.lead_qualify(actor=sales, company=company, lead_id=item.pk)
    assert opp.party.kind == "person" and opp.party.name == "Petar Petrović"
    assert set(opp.party.roles.values_list("role", flat=True)) == {"prospect"}


def test_overlong_values_are_field_errors_not_database_errors(company, sales):
    with pytest.raises(ValidationFailed) as exc:
        lead(company, sales, contact_name="x" * 201, company_name="y" * 300)
    assert set(exc.value.field_errors) == {"contact_name", "company_name"}
