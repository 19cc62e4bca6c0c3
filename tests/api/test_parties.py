"""Contract of the party endpoints: /parties, their links, duplicates, timeline and merge."""

from __future__ import annotations

from spona.core import services
from spona.core.models import Party, Relationship
from tests.api.conftest import API, assert_problem
from tests.factories import deliver_events, member, party

JSON = "application/json"


def test_registering_a_party_returns_it_normalised(company, sales, api_as):
    # when a sales user registers an organisation with messy contact data
    response = api_as(sales).post(
        f"{API}/parties",
        {
            "kind": "organisation",
            "name": " Bora Trade d.o.o. ",
            "emails": ["Office@Bora.RS"],
            "phones": ["011 3234 567"],
            "roles": ["customer"],
            "tags": ["VIP"],
            "addresses": [{"line1": "Knez Mihailova 1", "city": "Beograd", "country": "rs"}],
        },
        content_type=JSON,
    )
    # then it answers 201 with the stored, normalised party
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Bora Trade d.o.o."
    assert body["emails"] == ["office@bora.rs"] and body["phones"] == ["+381113234567"]
    assert body["roles"] == ["customer"] and body["tags"] == ["VIP"]
    assert body["addresses"][0]["country"] == "RS"
    assert body["version"] == 1
    assert Party.objects.get(pk=body["id"]).created_by == sales


def test_invalid_party_fields_come_back_as_field_errors(company, sales, api_as):
    response = api_as(sales).post(
        f"{API}/parties", {"kind": "organisation", "emails": ["not-an-email"], "phones": ["12"]}, content_type=JSON
    )
    body = assert_problem(response, 422, "validation_failed")
    assert {"name", "emails", "phones"} <= set(body["errors"])
    assert not Party.objects.exists()


def test_fields_that_are_not_writable_are_refused(company, other_company, sales, api_as):
    # given an attempt to set the company, version, merge state, author and id (SEC2)
    forged = {
        "kind": "organisation",
        "name": "Forged",
        "company": other_company.pk,
        "version": 99,
        "merged_into": 1,
        "created_by": 1,
        "id": 12345,
    }
    # when posted, then each is named as not permitted and nothing is created
    body = assert_problem(api_as(sales).post(f"{API}/parties", forged, content_type=JSON), 422)
    assert set(body["errors"]) == {"company", "version", "merged_into", "created_by", "id"}
    assert not Party.objects.exists()
    # and a patch cannot move a party to another company either
    org = party(company, "Stays Here")
    patch = {"version": 1, "company": other_company.pk, "is_active": False}
    body = assert_problem(api_as(sales).patch(f"{API}/parties/{org.pk}", patch, content_type=JSON), 422)
    assert set(body["errors"]) == {"company", "is_active"}
    org.refresh_from_db()
    assert (org.company_id, org.is_active, org.version) == (company.pk, True, 1)


def test_reading_one_party_and_a_merged_duplicate(company, admin, api_as):
    keep, dup = party(company, "Keep Ltd", emails=["a@keep.rs"]), party(company, "Keep Ltd.")
    services.party_merge(actor=admin, company=company, keep_id=keep.pk, merge_id=dup.pk)
    client = api_as(admin)
    assert client.get(f"{API}/parties/{keep.pk}").json()["emails"] == ["a@keep.rs"]
    # the duplicate's id forwards to the kept party
    assert client.get(f"{API}/parties/{dup.pk}").json()["id"] == keep.pk


def test_another_companys_party_is_not_found(company, other_company, admin, api_as):
    theirs = party(other_company, "Globex Customer")
    client = api_as(admin)
    for response in (
        client.get(f"{API}/parties/{theirs.pk}"),
        client.patch(f"{API}/parties/{theirs.pk}", {"version": 1, "name": "Mine now"}, content_type=JSON),
        client.get(f"{API}/parties/{theirs.pk}/links"),
        client.get(f"{API}/parties/{theirs.pk}/timeline"),
        client.get(f"{API}/parties/{theirs.pk}/duplicates"),
    ):
        body = assert_problem(response, 404, "not_found")
        assert "Globex" not in body["detail"]
    mine = party(company, "Acme Customer")
    assert_problem(client.post(f"{API}/parties/{mine.pk}/merge", {"merge_id": theirs.pk}, content_type=JSON), 404)
    assert_problem(
        client.post(f"{API}/parties/{mine.pk}/links", {"to_party_id": theirs.pk, "kind": "partner_of"}, content_type=JSON),
        404,
    )
    assert Party.objects.get(pk=theirs.pk).name == "Globex Customer"


def test_patching_changes_only_the_named_fields(company, sales, api_as):
    # given a party with contact data, roles and tags
    org = party(company, "Old Name", emails=["x@old.rs"], roles=["customer"], tags=["VIP"])
    # when only the name is patched with the version read
    response = api_as(sales).patch(f"{API}/parties/{org.pk}", {"version": 1, "name": "New Name"}, content_type=JSON)
    # then the rest stays and the version grows
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["emails"], body["roles"], body["tags"], body["version"]) == (
        "New Name",
        ["x@old.rs"],
        ["customer"],
        ["VIP"],
        2,
    )


def test_a_stale_version_answers_409_and_changes_nothing(company, sales, api_as):
    # given a party someone changed since the client read version 1
    org = party(company, "Stale Ltd")
    client = api_as(sales)
    assert client.patch(f"{API}/parties/{org.pk}", {"version": 1, "name": "First"}, content_type=JSON).status_code == 200
    # when the client saves with version 1
    response = client.patch(f"{API}/parties/{org.pk}", {"version": 1, "name": "Second"}, content_type=JSON)
    # then it gets a conflict, not a silent overwrite (QUALITY C2)
    assert_problem(response, 409, "conflict")
    assert Party.objects.get(pk=org.pk).name == "First"


def test_merging_needs_the_merge_role(company, admin, sales, api_as):
    keep, dup = party(company, "Twin"), party(company, "Twin.")
    assert_problem(api_as(sales).post(f"{API}/parties/{keep.pk}/merge", {"merge_id": dup.pk}, content_type=JSON), 403)
    response = api_as(admin).post(f"{API}/parties/{keep.pk}/merge", {"merge_id": dup.pk}, content_type=JSON)
    assert response.status_code == 200, response.content
    assert Party.objects.get(pk=dup.pk).merged_into_id == keep.pk


def test_a_member_without_the_role_cannot_write(company, api_as):
    # given an IT member: they may look parties up but not change them
    it = member(company, "it")
    org = party(company, "Read Only Ltd")
    client = api_as(it)
    assert client.get(f"{API}/parties/{org.pk}").status_code == 200
    assert_problem(client.post(f"{API}/parties", {"kind": "person", "given_name": "Ana"}, content_type=JSON), 403)
    assert_problem(client.patch(f"{API}/parties/{org.pk}", {"version": 1, "name": "X"}, content_type=JSON), 403)


def test_duplicates_and_timeline(company, sales, api_as):
    org = party(company, "Bora Trade", emails=["office@bora.rs"])
    twin = party(company, "BORA TRADE")
    party(company, "Unrelated")
    deliver_events()
    client = api_as(sales)
    assert [p["id"] for p in client.get(f"{API}/parties/{org.pk}/duplicates").json()] == [twin.pk]
    timeline = client.get(f"{API}/parties/{org.pk}/timeline").json()
    assert [e["title"] for e in timeline] == ["Bora Trade was registered"]
    assert client.get(f"{API}/parties/{org.pk}/timeline?department=sales").json() == []


def test_linking_listing_and_unlinking_parties(company, sales, api_as):
    person = party(company, "Jovana Petrović", kind="person")
    org = party(company, "Bora Trade")
    client = api_as(sales)
    # when a person is linked as working at an organisation
    response = client.post(
        f"{API}/parties/{person.pk}/links", {"to_party_id": org.pk, "kind": "works_at", "title": "CFO"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    link = response.json()
    assert (link["from_party"]["id"], link["to_party"]["name"], link["title"]) == (person.pk, "Bora Trade", "CFO")
    # then both parties list it
    assert [x["id"] for x in client.get(f"{API}/parties/{org.pk}/links").json()] == [link["id"]]
    # and an organisation cannot work at a person
    assert_problem(
        client.post(f"{API}/parties/{org.pk}/links", {"to_party_id": person.pk, "kind": "works_at"}, content_type=JSON),
        422,
    )
    # and deleting it answers 204, twice 404
    assert client.delete(f"{API}/links/{link['id']}").status_code == 204
    assert not Relationship.objects.exists()
    assert_problem(client.delete(f"{API}/links/{link['id']}"), 404)


def test_another_companys_link_cannot_be_deleted(company, other_company, admin, api_as):
    a, b = party(other_company, "A"), party(other_company, "B")
    theirs = services.party_link(
        actor=member(other_company, "admin"), company=other_company, from_party_id=a.pk, to_party_id=b.pk, kind="partner_of"
    )
    assert_problem(api_as(admin).delete(f"{API}/links/{theirs.pk}"), 404)
    assert Relationship.objects.filter(pk=theirs.pk).exists()


def test_filters_narrow_the_list(company, sales, api_as):
    party(company, "Alpha", roles=["customer"], tags=["VIP"])
    party(company, "Beta", roles=["supplier"])
    party(company, "Gama Person", kind="person")
    client = api_as(sales)

    def names(query: str) -> list[str]:
        response = client.get(f"{API}/parties?{query}")
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["items"]]

    assert names("") == ["Alpha", "Beta", "Gama Person"]
    assert names("role=customer") == ["Alpha"]
    assert names("tag=vip") == ["Alpha"]
    assert names("kind=person") == ["Gama Person"]
    assert names("q=bet") == ["Beta"]
    assert names("active=false") == []
    assert names("active=any&kind=organisation") == ["Alpha", "Beta"]
    assert_problem(client.get(f"{API}/parties?cursor=garbage"), 422)
