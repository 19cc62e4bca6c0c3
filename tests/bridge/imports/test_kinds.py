"""Importing products, leads, opening balances and price list items: good rows, bad rows, rollback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from spona.back.finance.models import JournalEntry
from spona.back.inventory.models import Product, ProductCategory
from spona.bridge.imports.services import auto_mapping, import_rows, importer_for
from spona.core.errors import PermissionDenied, ValidationFailed
from spona.front.crm.models import Lead
from spona.front.sales import services as sales_services
from spona.front.sales.models import PriceList
from tests.bridge.imports.conftest import csv_table
from tests.factories import member, party


def run(actor, company, kind, text, commit, **kwargs):
    table = csv_table(text)
    mapping = auto_mapping(importer_for(kind), table.headers)
    return import_rows(actor=actor, company=company, kind=kind, table=table, mapping=mapping, commit=commit, **kwargs)


def places(outcome):
    return [(e.line, e.column) for e in outcome.errors]


# Products


def test_products_are_created_with_their_unit_category_barcode_and_prices(clerk, company, units):
    text = 'sku,name,unit,category,barcode,sale_price,cost_price\nB-1,Bolt,units,Hardware,8600000000017,"1,20",0.50\n'
    outcome = run(clerk, company, "products", text, commit=True)
    assert outcome.committed
    bolt = Product.objects.get(company=company, sku="B-1")
    assert (bolt.uom_id, bolt.category.name, bolt.barcode) == (units["unit"].pk, "Hardware", "8600000000017")
    assert (bolt.sale_price, bolt.cost_price) == (D("1.20"), D("0.50"))


def test_a_product_row_with_an_unknown_unit_or_a_taken_sku_fails_and_nothing_is_kept(clerk, company, make_product):
    # given a product with SKU B-1
    make_product("B-1")
    # when a file brings a new category, an unknown unit and B-1 again
    text = "sku,name,unit,category\nN-1,Nut,Units,Hardware\nN-2,Washer,boxes,\nB-1,Bolt again,Units,\n"
    outcome = run(clerk, company, "products", text, commit=True)
    # then both bad rows are reported on their columns and the category made for row 2 was rolled back
    assert places(outcome) == [(3, "unit"), (4, "sku")]
    assert "Units" in outcome.errors[0].message.replace("units", "Units")
    assert not Product.objects.filter(company=company, sku="N-1").exists()
    assert not ProductCategory.objects.filter(company=company).exists()


# Leads


def test_leads_come_in_through_the_crm_service_marked_as_imported(sales, company):
    text = "contact_name,company_name,email\nMila,Mila doo,mila@mila.example\n,,nobody@example.com\n"
    outcome = run(sales, company, "leads", text, commit=False)
    assert places(outcome) == [(3, "contact_name")]
    outcome = run(sales, company, "leads", text.rsplit("\n", 2)[0] + "\n", commit=True)
    assert outcome.committed
    assert Lead.objects.get(company=company).source == "import"


# Opening balances

BALANCED = "account,debit,credit,party,label\n1000,1500.00,,,\n1100,500,,Kupac d.o.o.,\n3000,,2000.00,,Capital\n"


@pytest.fixture
def customer(company):
    return party(company, "Kupac d.o.o.")


def test_a_balanced_file_makes_one_opening_entry(accountant, ledger, customer):
    # when the opening balances are imported and posted
    outcome = run(accountant, ledger, "opening_balances", BALANCED, commit=True, options={"date": "2026-01-01", "post": "yes"})
    # then one posted entry carries the three lines, the receivable on the customer
    assert outcome.committed and outcome.imported == 3
    entry = JournalEntry.objects.get(company=ledger, journal__code="OPEN")
    assert (entry.date, entry.is_draft()) == (dt.date(2026, 1, 1), False)
    lines = {line.account.code: line for line in entry.lines.all()}
    assert (lines["1000"].debit, lines["3000"].credit, lines["1100"].party_id) == (D("1500.00"), D("2000.00"), customer.pk)


def test_an_unbalanced_file_is_refused_as_a_whole(accountant, ledger):
    text = "account,debit,credit\n1000,1500.00,\n3000,,1400.00\n"
    outcome = run(accountant, ledger, "opening_balances", text, commit=True, options={"date": "2026-01-01"})
    assert places(outcome) == [(0, "")]
    assert "differ by 100.00" in outcome.errors[0].message
    assert not JournalEntry.objects.filter(company=ledger).exists()


def test_an_unknown_account_or_party_and_a_two_sided_line_are_row_errors(accountant, ledger):
    text = "account,debit,credit,party\n9999,10,,\n1000,10,10,\n1100,10,,Nobody Ltd\n"
    outcome = run(accountant, ledger, "opening_balances", text, commit=False, options={"date": "2026-01-01"})
    assert places(outcome) == [(2, "account"), (3, "credit"), (4, "party")]


def test_the_opening_date_is_required(accountant, ledger):
    with pytest.raises(ValidationFailed) as refused:
        run(accountant, ledger, "opening_balances", BALANCED, commit=False)
    assert "date" in refused.value.field_errors


def test_sales_may_not_import_opening_balances(sales, ledger):
    with pytest.raises(PermissionDenied):
        run(sales, ledger, "opening_balances", BALANCED, commit=False, options={"date": "2026-01-01"})


# Price lists


def test_price_list_items_make_a_new_list_and_update_an_existing_one(sales, company, make_product):
    # given a list "Retail" with prices for A and B, and products A, B, C
    a, b = make_product("A"), make_product("B")
    make_product("C")
    sales_services.price_list_save(
        actor=None,
        company=company,
        name="Retail",
        currency="EUR",
        items=[sales_services.PriceIn(product_id=a.pk, price=D(10)), sales_services.PriceIn(product_id=b.pk, price=D(20))],
    )
    # when a file gives B a new price, adds C to Retail and starts a "Wholesale" list in RSD
    text = "price_list,sku,price,min_quantity,currency\nRetail,B,25,,\nRetail,C,30,,\nWholesale,A,900,10,RSD\n"
    outcome = run(sales, company, "price_list_items", text, commit=True)
    # then Retail keeps A, has B's new price and C; Wholesale exists with its quantity break
    assert outcome.committed
    retail = {i.product.sku: i.price for i in PriceList.objects.get(company=company, name="Retail").items.all()}
    assert retail == {"A": D(10), "B": D(25), "C": D(30)}
    wholesale = PriceList.objects.get(company=company, name="Wholesale")
    assert (wholesale.currency, wholesale.items.get().min_quantity) == ("RSD", D(10))


def test_a_price_for_an_unknown_product_or_in_another_currency_is_a_row_error(sales, company, make_product):
    make_product("A")
    text = "price_list,sku,price,currency\nExport,A,10,EUR\nExport,ZZZ,10,EUR\nExport,A,12,USD\n"
    outcome = run(sales, company, "price_list_items", text, commit=True)
    assert places(outcome) == [(3, "sku"), (4, "currency")]
    assert not PriceList.objects.filter(company=company).exists()


def test_the_same_product_twice_in_a_list_is_placed_on_its_line(sales, company, make_product):
    make_product("A")
    outcome = run(sales, company, "price_list_items", "price_list,sku,price\nL,A,1\nL,A,2\n", commit=False)
    assert [e.line for e in outcome.errors] == [3]


def test_a_user_without_the_apps_role_cannot_import_its_kind(company):
    marketer = member(company, "marketing")
    with pytest.raises(PermissionDenied):
        run(marketer, company, "products", "sku,name,unit\nA,B,C\n", commit=False)
