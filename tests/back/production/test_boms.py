"""Bills of materials: versions, validation, cycles and the multi-level explosion with scrap."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.production import services
from spona.back.production.models import Bom
from spona.core.errors import PermissionDenied, ValidationFailed
from tests.factories import member


def needs(explosion):
    return {(c.product.sku, c.exploded_from.sku if c.exploded_from else None): c.quantity for c in explosion.components}


def test_scrap_factor_raises_the_need_and_rounds_up_to_whole_units(company, warehouse, stool):
    # given a stool whose legs have 5 % scrap
    # when 10 stools are exploded
    plan = services.explode(company=company, bom=stool["bom"], quantity=D(10), location_id=warehouse.stock_location_id)
    # then 30 legs × 1.05 = 31.5 are rounded up to 32; seats and screws are exact
    assert needs(plan) == {("SEAT", None): D(10), ("LEG", None): D(32), ("SCREW", None): D(120)}
    assert [(op.name, op.minutes) for op in plan.operations] == [("Assemble", D(130))]


def test_a_component_in_another_unit_is_converted(company, warehouse, make_product, make_bom, units):
    # given a glue counted in kg and a BoM giving 250 g per unit
    glue, box = make_product("GLUE", "10", unit="kg"), make_product("BOX")
    bom = make_bom(box, [(glue, "250", "0", units["g"])])
    # when 3 boxes are exploded
    plan = services.explode(company=company, bom=bom, quantity=D(3), location_id=warehouse.stock_location_id)
    # then 0.75 kg of glue are needed
    assert needs(plan) == {("GLUE", None): D("0.75")}


def test_a_sub_assembly_without_stock_is_exploded_into_its_components(company, warehouse, make_product, make_bom, bench, stock):
    # given a table made of a top and a frame; the frame (no stock) is made of 4 legs and 2 rails
    top, leg, rail = make_product("TOP", "20"), make_product("TLEG", "3"), make_product("RAIL", "2")
    frame, table = make_product("FRAME"), make_product("TABLE")
    make_bom(frame, [(leg, "4"), (rail, "2")], operations=[("Weld", bench, "15", "0")])
    bom = make_bom(table, [(top, "1"), (frame, "1")], operations=[("Assemble", bench, "20", "10")])
    # and 1 frame in stock
    stock(frame, 1)
    # when 3 tables are exploded
    plan = services.explode(company=company, bom=bom, quantity=D(3), location_id=warehouse.stock_location_id)
    # then 1 frame comes from stock and the other 2 are made of their components in this order
    assert needs(plan) == {
        ("TOP", None): D(3),
        ("FRAME", None): D(1),
        ("TLEG", "FRAME"): D(8),
        ("RAIL", "FRAME"): D(4),
    }
    assert [(op.name, op.minutes) for op in plan.operations] == [("Assemble", D(70)), ("Weld", D(30))]
    assert plan.children == []


def test_a_make_to_order_sub_assembly_becomes_a_child_order(company, warehouse, make_product, make_bom, stool):
    # given a stool set made of 2 stools; stools are made to order and none is in stock
    kit = make_product("KIT")
    bom = make_bom(kit, [(stool["stool"], "2")])
    services.product_route_set(actor=None, company=company, product_id=stool["stool"].pk, route="make_to_order")
    # when 5 kits are planned as an order
    order = services.production_order_create(
        actor=None, company=company, product_id=kit.pk, quantity=D(5), warehouse_id=warehouse.pk
    )
    # then the kit order needs 10 stools, and a child order makes them
    assert [(c.product.sku, c.quantity) for c in order.components.all()] == [("STOOL", D(10))]
    child = order.children.get()
    assert (child.product.sku, child.quantity, child.reference, child.bom_id) == ("STOOL", D(10), order.number, stool["bom"].pk)
    assert bom.is_active


def test_a_cycle_through_two_levels_is_refused_with_its_path(company, make_product, make_bom):
    # given A made of B, and B made of C
    a, b, c = make_product("A"), make_product("B"), make_product("C")
    make_bom(a, [(b, "1")])
    make_bom(b, [(c, "1")])
    # when C is given a BoM made of A
    with pytest.raises(ValidationFailed) as refused:
        make_bom(c, [(a, "2")])
    # then the cycle is named and nothing was saved
    assert refused.value.code == "bom_cycle"
    assert "C → A → B → C" in refused.value.message
    assert not Bom.objects.filter(product=c).exists()


def test_a_product_is_not_its_own_component(make_product, make_bom):
    a = make_product("SELF")
    with pytest.raises(ValidationFailed) as refused:
        make_bom(a, [(a, "1")])
    assert "cannot be a component of itself" in str(refused.value.field_errors)


def test_a_new_version_becomes_the_active_one(company, stool, make_bom):
    # given the stool's first BoM
    first = stool["bom"]
    # when a second version is added
    second = make_bom(stool["stool"], [(stool["seat"], "1"), (stool["leg"], "4")])
    # then it is version 2 and the only active one; activating version 1 again swaps them
    first.refresh_from_db()
    assert (second.version, second.is_active, first.is_active) == (2, True, False)
    services.bom_activate(actor=None, company=company, bom_id=first.pk)
    assert list(Bom.objects.filter(product=stool["stool"], is_active=True).values_list("version", flat=True)) == [1]


def test_invalid_lines_are_field_errors(company, make_product, bench, other_company):
    # given a product and a scrap factor of 100 %, a zero quantity and no component at all
    box = make_product("BOX")
    nail = make_product("NAIL")
    data = services.BomInput(
        product_id=box.pk, lines=[services.BomLineInput(product_id=nail.pk, quantity=D(1), scrap_percent=D(100))]
    )
    # when it is saved, then the scrap is refused
    with pytest.raises(ValidationFailed) as refused:
        services.bom_create(actor=None, company=company, data=data)
    assert "lines.0.scrap_percent" in refused.value.field_errors
    # and an empty BoM, and another company's product, are refused too
    with pytest.raises(ValidationFailed):
        services.bom_create(actor=None, company=company, data=services.BomInput(product_id=box.pk))
    with pytest.raises(ValidationFailed):
        services.bom_create(actor=None, company=other_company, data=services.BomInput(product_id=box.pk))


def test_only_production_roles_manage_boms(company, make_product):
    box, nail = make_product("BOX"), make_product("NAIL")
    data = services.BomInput(product_id=box.pk, lines=[services.BomLineInput(product_id=nail.pk, quantity=D(1))])
    with pytest.raises(PermissionDenied):
        services.bom_create(actor=member(company, "sales"), company=company, data=data)
    assert services.bom_create(actor=member(company, "operations"), company=company, data=data).version == 1
