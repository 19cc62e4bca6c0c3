"""The product catalogue: units, categories, products, variants, supplier prices."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.inventory import selectors, services
from spona.back.inventory.models import Product
from spona.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from spona.core.models import AuditEntry, PartyRole
from tests.back.inventory.helpers import receive
from tests.factories import member, party


def test_units_convert_within_a_category_and_refuse_across(units):
    # given units, dozens, kilograms and grams
    # when quantities are converted
    # then a dozen is 12 units, 1500 g is 1.5 kg, and pieces never become kilograms
    assert services.convert_quantity(D(2), units["dozen"], units["unit"]) == D(24)
    assert services.convert_quantity(D(1500), units["g"], units["kg"]) == D("1.500")
    assert services.convert_quantity(D(18), units["unit"], units["dozen"]) == D(2)  # 1.5 dozen rounds half up
    with pytest.raises(ValidationFailed, match="cannot be converted"):
        services.convert_quantity(D(1), units["unit"], units["kg"])


def test_a_unit_needs_a_positive_decimal_factor(company, units):
    category = units["unit"].category
    with pytest.raises(ValidationFailed):
        services.uom_create(actor=None, company=company, category_id=category.pk, name="Bad", factor=D(0))
    with pytest.raises(ValidationFailed):
        services.uom_create(actor=None, company=company, category_id=category.pk, name="Float", factor=1.5)


def test_creating_a_product_validates_every_rule_at_once(company, units, clerk):
    # given a product with a SKU and a barcode
    services.product_create(
        actor=clerk, company=company, data=services.ProductInput(name="Bolt", sku="B1", barcode="123", uom_id=units["unit"].pk)
    )
    # when another one reuses both, buys in kilograms, is a tracked service and costs a float
    with pytest.raises(ValidationFailed) as caught:
        services.product_create(
            actor=clerk,
            company=company,
            data=services.ProductInput(
                name="Other",
                sku="B1",
                barcode="123",
                uom_id=units["unit"].pk,
                purchase_uom_id=units["kg"].pk,
                kind="service",
                tracking="lot",
                cost_price=1.5,
            ),
        )
    # then every problem is reported and nothing is saved
    assert {"sku", "barcode", "purchase_uom_id", "tracking", "cost_price"} <= set(caught.value.field_errors)
    assert Product.objects.filter(company=company).count() == 1


def test_sku_and_barcode_are_unique_per_company_only(company, other_company, units):
    count = services.uom_category_create(actor=None, company=other_company, name="Count")
    piece = services.uom_create(actor=None, company=other_company, category_id=count.pk, name="Units")
    services.product_create(
        actor=None, company=company, data=services.ProductInput(name="A", sku="SAME", barcode="999", uom_id=units["unit"].pk)
    )
    other = services.product_create(
        actor=None, company=other_company, data=services.ProductInput(name="A", sku="SAME", barcode="999", uom_id=piece.pk)
    )
    assert other.company_id == other_company.pk


def test_another_companys_unit_is_refused(company, other_company):
    count = services.uom_category_create(actor=None, company=other_company, name="Count")
    foreign = services.uom_create(actor=None, company=other_company, category_id=count.pk, name="Units")
    with pytest.raises(ValidationFailed) as caught:
        services.product_create(actor=None, company=company, data=services.ProductInput(name="X", sku="X", uom_id=foreign.pk))
    assert "uom_id" in caught.value.field_errors


def test_stale_product_edit_is_refused(company, product, clerk):
    # given a product two clerks opened at version 1
    data = services.ProductInput(name="Bolt M8", sku=product.sku, uom_id=product.uom_id, cost_price=D("0.55"))
    services.product_update(actor=clerk, company=company, product_id=product.pk, version=1, data=data)
    # when the second saves with the version they read
    # then the change is refused, not silently overwritten (QUALITY C2)
    with pytest.raises(Conflict):
        services.product_update(
            actor=clerk,
            company=company,
            product_id=product.pk,
            version=1,
            data=services.ProductInput(name="X", sku="X", uom_id=1),
        )
    product.refresh_from_db()
    assert (product.name, product.cost_price, product.version) == ("Bolt M8", D("0.55"), 2)
    entry = AuditEntry.objects.get(target_type="inventory.product", target_id=str(product.pk), action="updated")
    assert entry.changes["cost_price"] == ["0.5000", "0.55"]


def test_unit_and_tracking_are_frozen_once_stock_moved(company, warehouse, product, units):
    # given a product with stock received in units
    receive(company, warehouse, product, 5)
    # when somebody switches it to dozens and to lot tracking
    data = services.ProductInput(name=product.name, sku=product.sku, uom_id=units["dozen"].pk, tracking="lot")
    # then it is refused: the recorded quantities were counted in units
    with pytest.raises(ValidationFailed) as caught:
        services.product_update(actor=None, company=company, product_id=product.pk, version=product.version, data=data)
    assert {"uom_id", "tracking"} <= set(caught.value.field_errors)


def test_only_operations_and_admin_manage_the_catalogue(company, units):
    seller = member(company, "sales")
    with pytest.raises(PermissionDenied):
        services.product_create(
            actor=seller, company=company, data=services.ProductInput(name="X", sku="X", uom_id=units["unit"].pk)
        )


def test_categories_form_a_tree_without_cycles(company):
    # given All > Hardware > Screws
    top = services.category_create(actor=None, company=company, name="All")
    hardware = services.category_create(actor=None, company=company, name="Hardware", parent_id=top.pk)
    screws = services.category_create(actor=None, company=company, name="Screws", parent_id=hardware.pk)
    # when All is moved under Screws
    # then it is refused: a category cannot contain itself
    with pytest.raises(ValidationFailed, match="under itself"):
        services.category_update(actor=None, company=company, category_id=top.pk, name="All", parent_id=screws.pk)
    with pytest.raises(ValidationFailed, match="exists already"):
        services.category_create(actor=None, company=company, name="hardware", parent_id=top.pk)
    moved = services.category_update(actor=None, company=company, category_id=screws.pk, name="Screws", parent_id=top.pk)
    assert moved.parent_id == top.pk


def test_a_template_makes_one_variant_per_combination(company, units):
    # given sizes S, M and colours red, blue
    size = services.attribute_create(actor=None, company=company, name="Size", values=["S", "M", "L"])
    colour = services.attribute_create(actor=None, company=company, name="Colour", values=["Red", "Blue"])
    values = {f"{v.attribute.name}:{v.name}": v.pk for a in (size, colour) for v in a.values.all()}
    # when a T-shirt template is created with S, M × red, blue
    template = services.template_create(
        actor=None,
        company=company,
        data=services.TemplateInput(
            name="T-shirt",
            sku_prefix="ts",
            defaults=services.ProductInput(name="", sku="", uom_id=units["unit"].pk, sale_price=D("15.00")),
            value_ids=[values["Size:S"], values["Size:M"], values["Colour:Red"], values["Colour:Blue"]],
        ),
    )
    # then four variants exist with readable names and SKUs
    variants = {p.sku: p for p in template.variants.all()}
    assert sorted(variants) == ["TS-BLUE-M", "TS-BLUE-S", "TS-RED-M", "TS-RED-S"]
    assert variants["TS-RED-M"].name == "T-shirt (Red, M)"
    assert variants["TS-RED-M"].sale_price == D("15.00")
    assert variants["TS-RED-M"].attribute_values.count() == 2
    # and adding size L adds only the two new combinations
    added = services.template_add_values(actor=None, company=company, template_id=template.pk, value_ids=[values["Size:L"]])
    assert sorted(p.sku for p in added) == ["TS-BLUE-L", "TS-RED-L"]
    assert template.variants.count() == 6


def test_supplier_prices_break_by_quantity_and_the_supplier_becomes_one(company, product, supplier):
    # given a supplier selling bolts cheaper from 100 and 1000
    services.supplier_info_set(
        actor=None,
        company=company,
        product_id=product.pk,
        supplier_id=supplier.pk,
        supplier_code="SUP-B8",
        lead_time_days=7,
        price_breaks=[(D(1), D("0.40")), (D(100), D("0.35")), (D(1000), D("0.30"))],
    )
    # when offers are asked for 50, 100 and 5000
    # then the price of the highest break not above the quantity applies
    assert selectors.supplier_offers(user=None, company=company, product_id=product.pk, quantity=D(50))[0].unit_price == D("0.40")
    assert selectors.supplier_offers(user=None, company=company, product_id=product.pk, quantity=D(100))[0].unit_price == D(
        "0.35"
    )
    offer = selectors.supplier_offers(user=None, company=company, product_id=product.pk, quantity=D(5000))[0]
    assert (offer.unit_price, offer.lead_time_days, offer.currency, offer.supplier_code) == (D("0.30"), 7, "EUR", "SUP-B8")
    assert PartyRole.objects.filter(party=supplier, role="supplier").exists()


def test_supplier_of_another_company_is_not_found(company, other_company, product):
    stranger = party(other_company, "Elsewhere Ltd")
    with pytest.raises(NotFound):
        services.supplier_info_set(
            actor=None, company=company, product_id=product.pk, supplier_id=stranger.pk, price_breaks=[(D(1), D(1))]
        )


def test_product_list_pages_by_name_and_finds_by_barcode(company, make_product, clerk):
    for i in range(5):
        make_product(f"SKU{i}", name=f"Item {i}", barcode=f"400{i}")
    first = selectors.product_list(user=clerk, company=company, limit=2)
    second = selectors.product_list(user=clerk, company=company, limit=2, cursor=first.next_cursor)
    assert [p.sku for p in first.items + second.items] == ["SKU0", "SKU1", "SKU2", "SKU3"]
    assert selectors.product_by_barcode(user=clerk, company=company, barcode="4003").sku == "SKU3"
    with pytest.raises(NotFound):
        selectors.product_by_barcode(user=clerk, company=company, barcode="nothing")
