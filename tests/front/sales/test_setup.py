"""The sales set-up screens and API: price lists with quantity breaks, customer terms and groups, the sales settings."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from spona.core.models import AuditEntry
from spona.front.sales import services
from spona.front.sales.models import CustomerGroup, CustomerTerms, PriceList, SalesSettings
from tests.api.conftest import API, api_as, assert_problem  # noqa: F401  (api_as is a fixture)
from tests.factories import party

pytestmark = pytest.mark.django_db
SALES = f"{API}/sales"


def _list_form(world, **extra):
    chair, desk, _lamp = world.products
    data = {
        "name": "Wholesale",
        "currency": "eur",
        "sequence": "5",
        "is_active": "on",
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "product_0": chair.pk,
        "price_0": "9.00",
        "product_1": chair.pk,
        "min_quantity_1": "50",
        "price_1": "8.00",
        "product_2": desk.pk,
        "price_2": "24.00",
    }
    return data | extra


def test_a_price_list_with_quantity_breaks_is_made_and_edited_on_its_screen(client, world):
    # given a wholesale group and the salesperson on the new price list screen
    group = services.customer_group_create(actor=world.seller, company=world.company, name="Wholesale")
    client.force_login(world.seller)
    assert client.get(reverse("sales:pricelist_create")).status_code == 200
    # when a list for the group with a quantity break on chairs is saved
    response = client.post(reverse("sales:pricelist_create"), _list_form(world, customer_group=group.pk))
    # then it holds three prices, in EUR, for the group, over the year
    assert response.status_code == 302 and response["Location"] == reverse("sales:pricelist_list")
    price_list = PriceList.objects.get(company=world.company)
    assert (price_list.currency, price_list.customer_group_id, str(price_list.date_to)) == ("EUR", group.pk, "2026-12-31")
    assert sorted((i.min_quantity, i.price) for i in price_list.items.all()) == [
        (D(1), D(9)),
        (D(1), D(24)),
        (D(50), D(8)),
    ]
    # when it is reopened, the break changed and saved
    page = client.get(reverse("sales:pricelist_edit", args=[price_list.pk])).content.decode()
    assert 'value="50"' in page
    edit = _list_form(world, customer_group=group.pk, version=1, price_1="7.50")
    client.post(reverse("sales:pricelist_edit", args=[price_list.pk]), edit)
    # then the list has the new price, a new version, and the change is in the audit log
    price_list.refresh_from_db()
    assert price_list.version == 2 and price_list.items.get(min_quantity=50).price == D("7.50")
    assert AuditEntry.objects.filter(target_id=str(price_list.pk), action="updated").exists()
    # when someone submits the form they opened before that save
    stale = client.post(reverse("sales:pricelist_edit", args=[price_list.pk]), edit)
    # then it is refused and nothing changes (QUALITY C2)
    assert stale.status_code == 200 and "Someone changed this price list" in stale.content.decode()
    assert PriceList.objects.get(pk=price_list.pk).version == 2


def test_a_price_list_form_names_each_bad_row(client, world):
    client.force_login(world.seller)
    # when the same product and break is given twice, and a price without its product
    data = _list_form(world, product_2=world.products[0].pk, price_2="5", price_3="4", dates="")
    data["date_to"] = "2025-01-01"
    response = client.post(reverse("sales:pricelist_create"), data)
    # then the form says what is wrong where, and nothing is saved
    body = response.content.decode()
    assert response.status_code == 200 and "Choose the product this price is for." in body
    assert not PriceList.objects.filter(company=world.company).exists()
    response = client.post(reverse("sales:pricelist_create"), _list_form(world, product_2=world.products[0].pk, price_2="5"))
    assert "This product already has a price from this quantity." in response.content.decode()
    assert not PriceList.objects.filter(company=world.company).exists()


def test_the_price_list_page_searches_and_pages_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    # given 30 price lists
    for n in range(30):
        services.price_list_save(actor=None, company=world.company, name=f"List {n:02d}", currency="EUR", items=[])
    client.force_login(world.seller)
    # then a page of 25 costs a few queries, a search finds one, the next page the rest
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sales:pricelist_list"))
    assert page.content.decode().count("/sales/price-lists/") >= 25 and page.context["page"].next_cursor
    found = client.get(reverse("sales:pricelist_list"), {"q": "List 07"})
    assert [pl.name for pl in found.context["page"].items] == ["List 07"]
    rest = client.get(reverse("sales:pricelist_list"), {"cursor": page.context["page"].next_cursor})
    assert len(rest.context["page"].items) == 5


def test_customer_terms_are_set_and_a_stale_edit_is_refused(client, world):
    # given a group and a price list
    group = services.customer_group_create(actor=world.seller, company=world.company, name="Retail")
    client.force_login(world.seller)
    # when the salesperson gives the customer terms with a credit limit
    response = client.post(
        reverse("sales:terms_create"),
        {"party": world.customer.pk, "customer_group": group.pk, "credit_limit": "500", "version": "0"},
    )
    # then they are saved and listed
    assert response.status_code == 302
    terms = CustomerTerms.objects.get(company=world.company, party=world.customer)
    assert (terms.customer_group_id, terms.credit_limit, terms.version) == (group.pk, D(500), 1)
    assert "Kupac d.o.o." in client.get(reverse("sales:terms_list"), {"q": "kupac"}).content.decode()
    # when the limit is removed from the terms' own screen
    url = reverse("sales:terms_edit", args=[world.customer.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"customer_group": group.pk, "credit_limit": "", "version": "1"})
    assert CustomerTerms.objects.get(pk=terms.pk).credit_limit is None
    # then a second save from the same old form is refused
    stale = client.post(url, {"credit_limit": "1", "version": "1"})
    assert "Someone changed these terms" in stale.content.decode()
    # and a negative limit is refused on its field
    bad = client.post(url, {"credit_limit": "-5", "version": "2"})
    assert bad.status_code == 200 and CustomerTerms.objects.get(pk=terms.pk).credit_limit is None


def test_a_customer_group_is_added_from_the_terms_page(client, world):
    client.force_login(world.seller)
    client.post(reverse("sales:group_create"), {"name": "Distributors"})
    again = client.post(reverse("sales:group_create"), {"name": "distributors"}, follow=True)
    assert list(CustomerGroup.objects.filter(company=world.company).values_list("name", flat=True)) == ["Distributors"]
    assert "A group with this name exists." in again.content.decode()


def test_only_management_changes_the_sales_settings(client, world):
    # given the salesperson: the settings page is not theirs
    client.force_login(world.seller)
    assert client.get(reverse("sales:settings")).status_code == 403
    # when the manager raises the discount limit to 15 % and blocks orders above the credit limit
    client.force_login(world.manager)
    assert client.get(reverse("sales:settings")).status_code == 200
    response = client.post(
        reverse("sales:settings"),
        {"discount_limit": "15", "credit_policy": "block", "validity_days": "14", "default_tax": world.vat.pk},
    )
    # then the rules change and the audit log keeps the old and new limit
    assert response.status_code == 302
    settings = SalesSettings.objects.get(company=world.company)
    assert (settings.discount_limit, settings.credit_policy, settings.validity_days) == (D(15), "block", 14)
    entry = AuditEntry.objects.filter(action="updated", target_id=str(settings.pk)).latest("pk")
    assert entry.changes["discount_limit"] == ["10.00", "15.00"]
    # and a limit above 100 % is refused on its field
    bad = client.post(reverse("sales:settings"), {"discount_limit": "150", "credit_policy": "block", "validity_days": "14"})
    assert bad.status_code == 200 and SalesSettings.objects.get(company=world.company).discount_limit == D(15)


def test_the_api_edits_price_lists_terms_groups_and_settings(api_as, world):  # noqa: F811
    seller, manager = api_as(world.seller), api_as(world.manager)
    # a group, then a price list updated with its version; a stale version answers 409
    group = seller.post(f"{SALES}/customer-groups", {"name": "Wholesale"}, content_type="application/json")
    assert group.status_code == 201
    body = {"name": "WS", "currency": "EUR", "customer_group_id": group.json()["id"], "items": []}
    created = seller.post(f"{SALES}/price-lists", body, content_type="application/json").json()
    items = [{"product_id": world.products[0].pk, "price": "8", "min_quantity": "10"}]
    updated = seller.put(
        f"{SALES}/price-lists/{created['id']}", body | {"version": 1, "items": items}, content_type="application/json"
    )
    assert updated.status_code == 200 and updated.json()["version"] == 2 and len(updated.json()["items"]) == 1
    assert_problem(
        seller.put(f"{SALES}/price-lists/{created['id']}", body | {"version": 1}, content_type="application/json"), 409
    )
    # a customer's terms: none yet (version 0), then set, then a stale write answers 409
    url = f"{SALES}/customers/{world.customer.pk}/terms"
    assert seller.get(url).json() == {
        "party_id": world.customer.pk,
        "customer_group_id": None,
        "price_list_id": None,
        "payment_term_id": None,
        "credit_limit": None,
        "version": 0,
    }
    put = seller.put(url, {"credit_limit": "250", "version": 0}, content_type="application/json")
    assert put.status_code == 200 and put.json()["credit_limit"] == "250.0000" and put.json()["version"] == 1
    assert_problem(seller.put(url, {"credit_limit": "1", "version": 0}, content_type="application/json"), 409)
    # another company's party is not found
    stranger = party(world.company, "Merged away")
    assert seller.get(f"{SALES}/customers/{stranger.pk + 1000}/terms").status_code == 404
    # the settings: the salesperson reads them but only management changes them
    assert seller.get(f"{SALES}/settings").json()["discount_limit"] == "10.00"
    settings = {"discount_limit": "12.5", "credit_policy": "block"}
    assert seller.put(f"{SALES}/settings", settings, content_type="application/json").status_code == 403
    changed = manager.put(f"{SALES}/settings", settings, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["credit_policy"] == "block"
