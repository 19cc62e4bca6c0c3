from __future__ import annotations

import pytest

from spona.core import services
from spona.core.models import Party, Relationship
from spona.core.services import PartyInput
from spona.web import panels
from tests.factories import deliver_events, member, party


def test_list_shows_the_companys_parties_only(client, company, other_company, sales, login):
    party(company, "Bora Trade", emails=["office@bora.rs"], roles=["customer"], tags=["VIP"])
    party(other_company, "Globex Secret")
    content = login(sales).get("/parties/").content.decode()
    assert "Bora Trade" in content and "office@bora.rs" in content and "VIP" in content
    assert "Globex Secret" not in content


def test_search_and_filters(client, company, sales, login):
    party(company, "Bora Trade", roles=["customer"], tags=["VIP"])
    party(company, "Jovana Petrović", kind="person", roles=["contact"])
    party(company, "Sima Supplies", roles=["supplier"])
    login(sales)
    assert "Bora Trade" in client.get("/parties/?q=bora").content.decode()
    assert "Sima" not in client.get("/parties/?q=bora").content.decode()
    content = client.get("/parties/?kind=person").content.decode()
    assert "Jovana" in content and "Bora" not in content
    content = client.get("/parties/?role=supplier").content.decode()
    assert "Sima" in content and "Bora" not in content
    content = client.get("/parties/?tag=VIP").content.decode()
    assert "Bora" in content and "Sima" not in content
    # an unknown filter value drops only that filter; it is never a 500
    assert client.get("/parties/?kind=alien&q=bora").status_code == 200


def test_empty_states_differ_for_no_data_and_no_match(client, company, sales, login):
    login(sales)
    assert "No customers or contacts yet" in client.get("/parties/").content.decode()
    party(company, "Bora Trade")
    assert "No party matches" in client.get("/parties/?q=zzz").content.decode()


def test_live_search_answers_htmx_with_the_results_only(client, company, sales, login):
    party(company, "Bora Trade")
    response = login(sales).get("/parties/?q=bor", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Bora Trade" in content and "<html" not in content


def test_keyset_pagination_walks_every_party_once(client, company, sales, login):
    # given more parties than fit on a page (25)
    names = [f"Party {n:03d}" for n in range(60)]
    for name in names:
        party(company, name)
    login(sales)
    seen, url = [], "/parties/"
    # when the user follows "Next page" to the end
    for _ in range(5):
        response = client.get(url)
        seen += [n for n in names if f">{n}<" in response.content.decode()]
        if response.context["page"].next_cursor is None:
            break
        url = f"/parties/?cursor={response.context['page'].next_cursor}"
    # then each party was listed exactly once
    assert seen == names
    assert client.get("/parties/?cursor=garbage").status_code == 200


def test_party_list_query_count_is_pinned(client, company, sales, login, django_assert_max_num_queries):
    # given a full page of parties with roles, tags and contact data
    for n in range(30):
        party(company, f"Party {n:02d}", emails=[f"p{n}@x.test"], phones=["+381 11 3234567"], roles=["customer"], tags=["A", "B"])
    login(sales)
    # the page costs the same number of queries however many rows it shows (no N+1)
    with django_assert_max_num_queries(10):
        response = client.get("/parties/")
    assert response.status_code == 200 and len(response.context["page"].items) == 25


def test_other_companys_party_is_not_found(client, company, other_company, sales, login):
    foreign = party(other_company, "Globex Secret")
    login(sales)
    for url in (f"/parties/{foreign.pk}/", f"/parties/{foreign.pk}/edit/", f"/parties/{foreign.pk}/timeline/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Globex Secret" not in response.content.decode()
    assert client.post(f"/parties/{foreign.pk}/link/", {"kind": "related_to", "other": foreign.pk}).status_code == 404


def test_roles_without_change_permission_cannot_create(client, company, login):
    it_user = member(company, "it")  # IT may view parties but not change them
    login(it_user)
    assert client.get("/parties/").status_code == 200
    assert "New organisation" not in client.get("/parties/").content.decode()
    assert client.get("/parties/new/").status_code == 403


def test_create_an_organisation(client, company, sales, login):
    response = login(sales).post(
        "/parties/new/",
        {
            "kind": "organisation",
            "name": "Bora Trade d.o.o.",
            "emails": "Office@Bora.rs",
            "phones": "011 3234 567",
            "roles": ["customer"],
            "tags": "VIP, Beograd",
            "addr-TOTAL_FORMS": "1",
            "addr-INITIAL_FORMS": "0",
            "addr-0-kind": "main",
            "addr-0-line1": "Knez Mihailova 1",
            "addr-0-city": "Beograd",
            "addr-0-postal_code": "11000",
            "addr-0-country": "RS",
        },
    )
    org = Party.objects.get(name="Bora Trade d.o.o.")
    assert response.status_code == 302 and response["Location"] == f"/parties/{org.pk}/"
    assert org.addresses.get().city == "Beograd"
    assert sorted(org.tags.values_list("name", flat=True)) == ["Beograd", "VIP"]
    content = client.get(response["Location"]).content.decode()
    assert "office@bora.rs" in content and "Knez Mihailova 1" in content and "is registered" in content


def test_create_a_person(client, company, sales, login):
    response = login(sales).post(
        "/parties/new/",
        {"kind": "person", "given_name": "Jovana", "family_name": "Petrović", "addr-TOTAL_FORMS": "1", "addr-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302
    assert Party.objects.get(kind="person").name == "Jovana Petrović"


def test_field_errors_are_shown_on_their_fields_and_input_is_kept(client, company, sales, login):
    # when the form is sent with invalid data
    response = login(sales).post(
        "/parties/new/",
        {
            "kind": "organisation",
            "name": "",
            "emails": "not-an-email",
            "website": "Still here",
            "addr-TOTAL_FORMS": "1",
            "addr-INITIAL_FORMS": "0",
            "addr-0-line1": "Somewhere 1",
            "addr-0-country": "RS",
        },
    )
    content = response.content.decode()
    # then each error is on its field, linked for screen readers, and nothing typed is lost
    assert response.status_code == 422
    assert 'id="id_name_error"' in content and 'aria-describedby="id_name_error"' in content
    assert 'id="id_emails_error"' in content and "not-an-email" in content
    assert 'value="Still here"' in content and 'value="Somewhere 1"' in content
    assert Party.objects.count() == 0


def test_address_errors_land_on_the_address_row(client, company, sales, login):
    response = login(sales).post(
        "/parties/new/",
        {
            "kind": "organisation",
            "name": "Adresa d.o.o.",
            "addr-TOTAL_FORMS": "1",
            "addr-INITIAL_FORMS": "0",
            "addr-0-line1": "Somewhere 1",
            "addr-0-country": "RS",
        },
    )
    assert response.status_code == 422
    assert 'id="id_addr-0-city_error"' in response.content.decode()


def test_duplicate_warning_links_the_existing_record_and_can_be_confirmed(client, company, sales, login):
    # given a registered organisation
    existing = party(company, "Bora Trade", emails=["office@bora.rs"])
    login(sales)
    data = {"kind": "organisation", "name": "BORA trade", "addr-TOTAL_FORMS": "1", "addr-INITIAL_FORMS": "0"}
    # when someone registers it again
    response = client.post("/parties/new/", data)
    # then they are warned, with a link to the existing record, and nothing is saved yet
    content = response.content.decode()
    assert "already registered" in content and f'href="/parties/{existing.pk}/"' in content
    assert Party.objects.count() == 1
    # and confirming registers it anyway
    response = client.post("/parties/new/", {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302 and Party.objects.count() == 2


def test_edit_saves_and_a_stale_edit_says_someone_else_changed_it(client, company, sales, login):
    # given a party opened by two users
    org = party(company, "Stale Ltd")
    login(sales)
    form = {"kind": "organisation", "version": "1", "addr-TOTAL_FORMS": "1", "addr-INITIAL_FORMS": "0"}
    assert 'name="version" value="1"' in client.get(f"/parties/{org.pk}/edit/").content.decode()
    # when the first saves
    assert client.post(f"/parties/{org.pk}/edit/", {**form, "name": "First"}).status_code == 302
    # then the second, sending the version they read, gets a clear form error and keeps their input
    response = client.post(f"/parties/{org.pk}/edit/", {**form, "name": "Second"})
    content = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this party" in content and 'value="Second"' in content
    assert Party.objects.get(pk=org.pk).name == "First"


def test_edit_keeps_addresses_and_can_delete_one(client, company, sales, login):
    org = party(company, "Adrese d.o.o.")
    services.party_update(
        actor=sales,
        company=company,
        party_id=org.pk,
        version=1,
        data=PartyInput(
            kind="organisation",
            name="Adrese d.o.o.",
            addresses=[services.AddressInput(line1="A 1", city="Beograd", country="RS")],
        ),
    )
    login(sales)
    page = client.get(f"/parties/{org.pk}/edit/").content.decode()
    assert 'value="A 1"' in page and 'name="addr-TOTAL_FORMS" value="2"' in page
    base = {"kind": "organisation", "name": "Adrese d.o.o.", "version": "2", "addr-TOTAL_FORMS": "2", "addr-INITIAL_FORMS": "1"}
    row = {"addr-0-kind": "main", "addr-0-line1": "A 1", "addr-0-city": "Beograd", "addr-0-country": "RS"}
    assert client.post(f"/parties/{org.pk}/edit/", {**base, **row, "addr-0-DELETE": "on"}).status_code == 302
    assert org.addresses.count() == 0


def test_360_page_shows_links_in_both_directions_and_the_timeline(client, company, sales, login):
    # given an organisation and a person linked through the UI
    org = party(company, "Bora Trade", emails=["office@bora.rs"], roles=["customer"])
    person = party(company, "Jovana Petrović", kind="person")
    login(sales)
    response = client.post(f"/parties/{person.pk}/link/", {"kind": "works_at", "other": org.pk, "title": "Buyer"})
    assert response.status_code == 302
    deliver_events()
    # then the person's page says where she works and the organisation's page says whom it employs
    content = client.get(f"/parties/{person.pk}/").content.decode()
    assert "works at" in content and f'href="/parties/{org.pk}/"' in content and "Buyer" in content
    content = client.get(f"/parties/{org.pk}/").content.decode()
    assert "employs" in content and "Jovana Petrović" in content
    assert "Jovana Petrović works at Bora Trade (Buyer)" in content  # on the timeline
    assert "office@bora.rs" in content and "Customer" in content


def test_inverse_link_is_stored_in_the_services_direction(client, company, sales, login):
    org = party(company, "Bora Trade")
    person = party(company, "Jovana Petrović", kind="person")
    login(sales).post(f"/parties/{org.pk}/link/", {"kind": "works_at:inverse", "other": person.pk})
    rel = Relationship.objects.get()
    assert (rel.from_party_id, rel.to_party_id, rel.kind) == (person.pk, org.pk, "works_at")


def test_a_refused_link_is_a_message_not_an_error_page(client, company, sales, login):
    org = party(company, "Bora Trade")
    other = party(company, "Sima Supplies")
    response = login(sales).post(f"/parties/{org.pk}/link/", {"kind": "works_at", "other": other.pk}, follow=True)
    assert response.status_code == 200
    assert "Only a person can work at an organisation." in response.content.decode()
    response = client.post(f"/parties/{org.pk}/link/", {"kind": "works_at", "other": "abc"}, follow=True)
    assert "Choose the other party" in response.content.decode()


def test_unlink(client, company, sales, login):
    org = party(company, "Bora Trade")
    person = party(company, "Jovana Petrović", kind="person")
    rel = services.party_link(actor=sales, company=company, from_party_id=person.pk, to_party_id=org.pk, kind="works_at")
    login(sales)
    assert client.get(f"/parties/{org.pk}/links/{rel.pk}/delete/").status_code == 405
    assert client.post(f"/parties/{org.pk}/links/{rel.pk}/delete/").status_code == 302
    assert not Relationship.objects.exists()


def test_timeline_filters_by_department_and_loads_more(client, company, sales, login):
    org = party(company, "Bora Trade")
    for n in range(25):
        services.party_update(
            actor=sales, company=company, party_id=org.pk, version=n + 1, data=PartyInput(kind="organisation", name=f"Bora {n}")
        )
    deliver_events()
    login(sales)
    first = client.get(f"/parties/{org.pk}/").content.decode()
    assert first.count('class="timeline-entry"') == 20 and "Load more" in first
    more = client.get(f"/parties/{org.pk}/timeline/?limit=40", HTTP_HX_REQUEST="true").content.decode()
    assert more.count('class="timeline-entry"') == 26 and "Load more" not in more
    other = client.get(f"/parties/{org.pk}/timeline/?department=finance").content.decode()
    assert "Nothing on the timeline yet." in other
    assert client.get(f"/parties/{org.pk}/timeline/?limit=abc").status_code == 200


def test_audit_trail_shows_for_management_only(client, company, sales, login):
    org = party(company, "Bora Trade")
    boss = member(company, "management")
    assert "Audit trail" not in login(sales).get(f"/parties/{org.pk}/").content.decode()
    client.post("/logout/")
    assert "Audit trail" in login(boss).get(f"/parties/{org.pk}/").content.decode()


def test_apps_plug_panels_into_the_360_page(client, company, sales, login, tmp_path, settings):
    # given an app that registers a panel (here: a test template and context function)
    (tmp_path / "test_panel.html").write_text("<p>Open balance of {{ party.name }}: {{ data.balance }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    panels.register(panels.Panel("test.balance", "test_panel.html", lambda request, party: {"balance": "42.00 EUR"}, order=20))
    panels.register(panels.Panel("test.hidden", "test_panel.html", lambda request, party: None, order=30))
    try:
        org = party(company, "Bora Trade")
        content = login(sales).get(f"/parties/{org.pk}/").content.decode()
    finally:
        panels.PANELS.pop("test.balance")
        panels.PANELS.pop("test.hidden")
    # then it renders in order, after related parties and before the timeline; a None context hides a panel
    assert content.count("Open balance of Bora Trade: 42.00 EUR") == 1
    assert content.index("Related parties") < content.index("Open balance of") < content.index("Timeline")


def test_party_picker_searches_this_company_only(client, company, other_company, sales, login):
    mine = party(company, "Bora Trade")
    party(other_company, "Bora Foreign")
    data = login(sales).get("/parties/search.json?q=bora").json()
    assert data["results"] == [{"id": mine.pk, "name": "Bora Trade", "kind": "Organisation"}]
    assert login(sales).get(f"/parties/search.json?q=bora&exclude={mine.pk}").json()["results"] == []


@pytest.mark.parametrize("role, status", [("sales", 403), ("management", 200), ("admin", 200)])
def test_merge_page_is_for_management_and_admin(client, company, login, role, status):
    org = party(company, "Bora Trade")
    assert login(member(company, role)).get(f"/parties/{org.pk}/merge/").status_code == status


def test_merge_previews_what_moves_then_merges(client, company, login):
    # given a party and its duplicate with a link and contact data
    boss = member(company, "management")
    keep = party(company, "Bora Trade", emails=["office@bora.rs"])
    dup = party(company, "BORA TRADE", emails=["sales@bora.rs"], tags=["VIP"])
    person = party(company, "Jovana", kind="person")
    services.party_link(actor=boss, company=company, from_party_id=person.pk, to_party_id=dup.pk, kind="works_at")
    login(boss)
    # when management picks the duplicate
    page = client.get(f"/parties/{keep.pk}/merge/").content.decode()
    assert f"?merge={dup.pk}" in page  # offered as a look-alike
    preview = client.get(f"/parties/{keep.pk}/merge/?merge={dup.pk}").content.decode()
    # then the page shows what moves before anything happens
    assert "relationships: <strong>1</strong>" in preview.lower() and "tags: <strong>1</strong>" in preview.lower()
    assert Party.objects.get(pk=dup.pk).merged_into_id is None
    # and confirming merges, and the duplicate's old address forwards to the kept party
    response = client.post(f"/parties/{keep.pk}/merge/", {"merge_id": dup.pk})
    assert response.status_code == 302 and response["Location"] == f"/parties/{keep.pk}/"
    assert Party.objects.get(pk=dup.pk).merged_into_id == keep.pk
    assert client.get(f"/parties/{dup.pk}/")["Location"] == f"/parties/{keep.pk}/"


def test_merge_refuses_itself_and_foreign_parties_with_a_message(client, company, other_company, login):
    boss = member(company, "management")
    keep = party(company, "Bora Trade")
    foreign = party(other_company, "Globex")
    login(boss)
    assert "Choose another party" in client.get(f"/parties/{keep.pk}/merge/?merge={keep.pk}").content.decode()
    content = client.get(f"/parties/{keep.pk}/merge/?merge={foreign.pk}").content.decode()
    assert "Choose a party of this company" in content and "Globex" not in content
