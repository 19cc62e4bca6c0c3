"""Locations, stock moves and quants, reservations, the stock check and the stock selectors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from spona.back.inventory import selectors, services
from spona.back.inventory.models import DoneMoveError, Location, Reservation, StockMove, StockQuant
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Event
from tests.back.inventory.helpers import receive
from tests.factories import member, party


def on_hand(product, location) -> D:
    quant = StockQuant.objects.filter(product=product, location=location).first()
    return quant.quantity if quant else D(0)


def test_a_warehouse_gets_its_location_tree_and_the_company_its_virtual_locations(company, warehouse):
    # given a new warehouse WH
    # then it has WH (view) above WH/Stock, WH/Input, WH/Output, and the company one of each virtual location
    assert warehouse.view_location.kind == "view"
    assert warehouse.stock_location.full_name == "WH/Stock"
    assert warehouse.stock_location.path == f"{warehouse.view_location.path}{warehouse.stock_location.pk}/"
    assert {warehouse.input_location.full_name, warehouse.output_location.full_name} == {"WH/Input", "WH/Output"}
    services.warehouse_create(actor=None, company=company, code="WH2", name="Second")
    kinds = sorted(Location.objects.filter(company=company, warehouse__isnull=True).values_list("kind", flat=True))
    assert kinds == ["customer", "inventory_loss", "production", "supplier", "transit"]
    with pytest.raises(ValidationFailed):
        services.warehouse_create(actor=None, company=company, code="wh", name="Duplicate")


def test_a_warehouse_address_is_a_party_of_the_company(company, other_company):
    site = party(company, "Main site")
    warehouse = services.warehouse_create(actor=None, company=company, code="ws", name="West", address_id=site.pk)
    assert (warehouse.code, warehouse.address) == ("WS", site)
    with pytest.raises(NotFound):
        services.warehouse_create(actor=None, company=company, code="X", name="X", address_id=party(other_company, "Theirs").pk)


def test_locations_nest_inside_a_warehouse_only(company, warehouse):
    shelf = services.location_create(actor=None, company=company, parent_id=warehouse.stock_location.pk, name="Shelf A")
    assert shelf.full_name == "WH/Stock/Shelf A"
    customers = Location.objects.get(company=company, kind="customer")
    with pytest.raises(ValidationFailed):
        services.location_create(actor=None, company=company, parent_id=customers.pk, name="Inside customers")
    with pytest.raises(ValidationFailed):
        services.location_create(actor=None, company=company, parent_id=warehouse.stock_location.pk, name="Shelf A")


def test_a_done_move_changes_both_sides_and_is_audited(company, warehouse, product, clerk):
    # given 10 bolts received
    receive(company, warehouse, product, 10)
    shelf = services.location_create(actor=clerk, company=company, parent_id=warehouse.stock_location.pk, name="Shelf")
    # when 4 are moved to a shelf
    move = services.move_create(
        actor=clerk,
        company=company,
        product_id=product.pk,
        from_location_id=warehouse.stock_location.pk,
        to_location_id=shelf.pk,
        quantity=D(4),
        done=True,
    )
    # then stock left one location and arrived at the other, and the move is done with its cost
    assert (on_hand(product, warehouse.stock_location), on_hand(product, shelf)) == (D(6), D(4))
    assert move.is_done() and move.done_by == clerk and move.unit_cost == D("0.50")
    assert selectors.stock_level(
        user=clerk, company=company, product_id=product.pk, location_id=warehouse.view_location.pk
    ).on_hand == D(10)


def test_a_move_cannot_take_more_than_is_available(company, warehouse, product):
    receive(company, warehouse, product, 1)
    customers = Location.objects.get(company=company, kind="customer")
    move = services.move_create(
        actor=None,
        company=company,
        product_id=product.pk,
        from_location_id=warehouse.stock_location.pk,
        to_location_id=customers.pk,
        quantity=D(2),
    )
    with pytest.raises(services.InsufficientStock, match="insufficient stock: 1 available, 2 requested"):
        services.move_done(actor=None, company=company, move_id=move.pk)
    assert on_hand(product, warehouse.stock_location) == D(1)
    assert StockMove.objects.get(pk=move.pk).is_draft()


def test_negative_stock_only_where_the_product_allows_it(company, warehouse, make_product):
    loose = make_product("LOOSE", allow_negative_stock=True)
    customers = Location.objects.get(company=company, kind="customer")
    services.move_create(
        actor=None,
        company=company,
        product_id=loose.pk,
        from_location_id=warehouse.stock_location.pk,
        to_location_id=customers.pk,
        quantity=D(3),
        done=True,
    )
    assert on_hand(loose, warehouse.stock_location) == D(-3)
    assert selectors.stock_check(company) == []


def test_a_shortfall_of_a_product_that_may_go_negative_is_reserved_where_asked(company, warehouse, make_product):
    loose = make_product("LOOSE", allow_negative_stock=True)
    reservation = services.reservation_create(
        actor=None, company=company, product_id=loose.pk, location_id=warehouse.stock_location.pk, quantity=D(3), reference="SO"
    )
    assert [(a.location_id, a.quantity) for a in reservation.allocations.all()] == [(warehouse.stock_location.pk, D(3))]
    with pytest.raises(ValidationFailed):
        make_product("LOTS", tracking="lot", allow_negative_stock=True)
    assert selectors.stock_check(company) == []


def test_quantities_respect_the_products_unit(company, warehouse, product):
    with pytest.raises(ValidationFailed) as caught:
        receive(company, warehouse, product, D("1.5"))
    assert caught.value.field_errors == {"lines[0]": ["BOLT is counted in steps of 1 Units."]}
    with pytest.raises(ValidationFailed):
        services.move_create(
            actor=None,
            company=company,
            product_id=product.pk,
            from_location_id=warehouse.stock_location.pk,
            to_location_id=warehouse.input_location.pk,
            quantity=1.0,
        )


def test_done_moves_are_immutable_through_every_orm_path(company, warehouse, product):
    # given a done move
    move = receive(company, warehouse, product, 5).moves.get()
    # then model save/delete and queryset update/delete are all refused
    move.quantity = D(50)
    # A refused save is refused by its UPDATE, so it aborts its transaction as a database error would.
    with pytest.raises(DoneMoveError), transaction.atomic():
        move.save()
    with pytest.raises(DoneMoveError):
        move.delete()
    with pytest.raises(DoneMoveError):
        StockMove.objects.filter(pk=move.pk).update(quantity=D(50))
    with pytest.raises(DoneMoveError):
        StockMove.objects.filter(pk=move.pk).delete()
    assert StockMove.objects.get(pk=move.pk).quantity == D(5)
    print("\nS2 done moves, ORM paths: 4 attempts, 0 rows changed")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE inventory_stockmove SET quantity = 50 WHERE id = %s", "DELETE FROM inventory_stockmove WHERE id = %s"],
)
def test_raw_sql_cannot_change_a_done_move(company, warehouse, product, statement):
    move = receive(company, warehouse, product, 5).moves.get()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [move.pk])
    assert StockMove.objects.get(pk=move.pk).quantity == D(5)


def test_the_database_refuses_negative_stock_behind_the_services_back(on_postgres, company, warehouse, product):
    receive(company, warehouse, product, 1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stockquant SET quantity = -1 WHERE product_id = %s", [product.pk])


def test_reserving_more_than_available_is_refused_clearly(company, warehouse, product, clerk):
    # given 1 bolt in stock
    receive(company, warehouse, product, 1)
    # when 2 are reserved
    # then the clear error says how many there are, and nothing is reserved
    with pytest.raises(services.InsufficientStock) as caught:
        services.reservation_create(
            actor=clerk,
            company=company,
            product_id=product.pk,
            location_id=warehouse.stock_location.pk,
            quantity=D(2),
            reference="SO1",
        )
    assert str(caught.value).startswith("insufficient stock: 1 available, 2 requested")
    assert caught.value.code == "insufficient_stock"
    assert not Reservation.objects.exists()


def test_a_reservation_takes_stock_from_the_location_and_its_children(company, warehouse, product, clerk, customer):
    # given 3 bolts on shelf A and 4 on shelf B, both under WH/Stock
    stock = warehouse.stock_location
    shelves = [services.location_create(actor=None, company=company, parent_id=stock.pk, name=n) for n in ("A", "B")]
    receive(company, warehouse, product, 7)
    for shelf, qty in zip(shelves, (3, 4), strict=True):
        services.move_create(
            actor=None,
            company=company,
            product_id=product.pk,
            from_location_id=stock.pk,
            to_location_id=shelf.pk,
            quantity=D(qty),
            done=True,
        )
    # when 5 are reserved in the whole warehouse
    reservation = services.reservation_create(
        actor=clerk,
        company=company,
        product_id=product.pk,
        location_id=warehouse.view_location.pk,
        quantity=D(5),
        reference="SO-7",
        party_id=customer.pk,
    )
    # then shelf A's 3 and 2 of shelf B are reserved, 2 stay available, and the event names the customer
    allocations = {a.location_id: a.quantity for a in reservation.allocations.all()}
    assert allocations == {shelves[0].pk: D(3), shelves[1].pk: D(2)}
    level = selectors.stock_level(user=clerk, company=company, product_id=product.pk, location_id=stock.pk)
    assert (level.on_hand, level.reserved, level.available) == (D(7), D(5), D(2))
    event = Event.objects.get(name="inventory.stock_reserved")
    assert event.party == customer and event.payload["quantity"] == "5"
    assert selectors.stock_check(company) == []


def test_reserved_stock_is_not_available_to_anybody_else(company, warehouse, product):
    receive(company, warehouse, product, 5)
    services.reservation_create(
        actor=None, company=company, product_id=product.pk, location_id=warehouse.stock_location.pk, quantity=D(4), reference="A"
    )
    customers = Location.objects.get(company=company, kind="customer")
    with pytest.raises(services.InsufficientStock, match="1 available, 2 requested"):
        services.move_create(
            actor=None,
            company=company,
            product_id=product.pk,
            from_location_id=warehouse.stock_location.pk,
            to_location_id=customers.pk,
            quantity=D(2),
            done=True,
        )


def test_release_and_consume(company, warehouse, product, clerk):
    # given 10 in stock and 6 reserved
    receive(company, warehouse, product, 10)
    reservation = services.reservation_create(
        actor=clerk,
        company=company,
        product_id=product.pk,
        location_id=warehouse.stock_location.pk,
        quantity=D(6),
        reference="SO9",
    )
    # when 2 are released and 3 consumed
    services.reservation_release(actor=clerk, company=company, reservation_id=reservation.pk, quantity=D(2))
    moves = services.reservation_consume(actor=clerk, company=company, reservation_id=reservation.pk, quantity=D(3))
    # then 1 stays reserved, 7 are on hand, and the consumption is a done move to the customers
    reservation.refresh_from_db()
    assert reservation.quantity == D(1) and reservation.is_open()
    quant = StockQuant.objects.get(product=product, location=warehouse.stock_location)
    assert (quant.quantity, quant.reserved) == (D(7), D(1))
    assert [(m.quantity, m.to_location.kind, m.state) for m in moves] == [(D(3), "customer", "done")]
    # and consuming the last one closes the reservation
    services.reservation_consume(actor=clerk, company=company, reservation_id=reservation.pk)
    reservation.refresh_from_db()
    assert reservation.state == "consumed" and reservation.quantity == D(0)
    with pytest.raises(StateError):
        services.reservation_release(actor=clerk, company=company, reservation_id=reservation.pk)
    assert selectors.stock_check(company) == []


def test_lot_tracked_stock_moves_by_lot(company, warehouse, make_product):
    # given a lot-tracked product received in two lots
    milk = make_product("MILK", tracking="lot")
    with pytest.raises(ValidationFailed, match="tracked"):
        receive(company, warehouse, milk, 5)
    receive(company, warehouse, milk, 5, lot="L1")
    receive(company, warehouse, milk, 5, lot="L2")
    # when 7 are reserved without naming a lot
    reservation = services.reservation_create(
        actor=None, company=company, product_id=milk.pk, location_id=warehouse.stock_location.pk, quantity=D(7), reference="SO"
    )
    # then the oldest lot goes first
    assert sorted((a.lot.name, a.quantity) for a in reservation.allocations.all()) == [("L1", D(5)), ("L2", D(2))]
    moves = services.reservation_consume(actor=None, company=company, reservation_id=reservation.pk)
    assert sorted((m.lot.name, m.quantity) for m in moves) == [("L1", D(5)), ("L2", D(2))]
    assert selectors.stock_check(company) == []


def test_a_serial_number_is_in_stock_once(company, warehouse, make_product):
    laptop = make_product("LAPTOP", tracking="serial")
    with pytest.raises(ValidationFailed):
        receive(company, warehouse, laptop, 2, lot="SN1")
    receive(company, warehouse, laptop, 1, lot="SN1")
    with pytest.raises(ValidationFailed, match="already in"):
        receive(company, warehouse, laptop, 1, lot="SN1")


def test_receiving_in_the_purchase_unit_stores_the_products_unit(company, warehouse, make_product, units):
    eggs = make_product("EGGS", purchase_uom_id=units["dozen"].pk)
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        lines=[services.TransferLineIn(product_id=eggs.pk, quantity=D(3), uom_id=units["dozen"].pk)],
    )
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
    assert on_hand(eggs, warehouse.stock_location) == D(36)
    with pytest.raises(ValidationFailed):
        services.transfer_create(
            actor=None,
            company=company,
            kind="receipt",
            warehouse_id=warehouse.pk,
            lines=[services.TransferLineIn(product_id=eggs.pk, quantity=D(3), uom_id=units["kg"].pk)],
        )


def test_the_check_finds_a_tampered_quant_and_the_command_reports_it(company, warehouse, product, capsys):
    # given consistent stock
    receive(company, warehouse, product, 5)
    services.reservation_create(
        actor=None, company=company, product_id=product.pk, location_id=warehouse.stock_location.pk, quantity=D(2), reference="X"
    )
    call_command("inventory", "check")
    assert "0 mismatches" in capsys.readouterr().out
    # when the materialised figures are changed behind the services' back
    StockQuant.objects.filter(product=product).update(quantity=D(9), reserved=D(1))
    # then the check reports both, and the command fails
    mismatches = selectors.stock_check(company)
    assert {(m.kind, m.expected, m.actual) for m in mismatches} == {("on_hand", D(5), D(9)), ("reserved", D(2), D(1))}
    with pytest.raises(CommandError, match="3 stock or valuation mismatch"):
        call_command("inventory", "check", "--company", company.code)
    out = capsys.readouterr().out
    assert "on_hand is 9.0000, expected 5" in out
    assert "valuation: product" in out and "layers hold 5.0000 units but 9.0000 are on hand" in out


def test_stock_by_location_pages_by_sku(company, warehouse, make_product, clerk):
    for sku in ("C", "A", "B"):
        receive(company, warehouse, make_product(sku), 2)
    first = selectors.stock_by_location(user=clerk, company=company, location_id=warehouse.view_location.pk, limit=2)
    second = selectors.stock_by_location(
        user=clerk, company=company, location_id=warehouse.view_location.pk, limit=2, cursor=first.next_cursor
    )
    assert [r.sku for r in first.items] == ["A", "B"] and [r.sku for r in second.items] == ["C"]
    assert second.next_cursor is None
    assert first.items[0].location == "WH/Stock" and first.items[0].available == D(2)


def test_move_history_is_newest_first_and_paged(company, warehouse, product, clerk):
    for qty in (1, 2, 3):
        receive(company, warehouse, product, qty)
    first = selectors.move_history(user=clerk, company=company, product_id=product.pk, limit=2)
    second = selectors.move_history(user=clerk, company=company, product_id=product.pk, limit=2, cursor=first.next_cursor)
    assert [m.quantity for m in first.items + second.items] == [D(3), D(2), D(1)]
    with pytest.raises(ValidationFailed):
        selectors.move_history(user=clerk, company=company, product_id=product.pk, cursor="garbage")


def test_stock_is_visible_to_its_company_and_roles_only(company, other_company, warehouse, product):
    # given users of other departments and companies
    seller, hr = member(company, "sales"), member(company, "hr")
    outsider = member(other_company, "operations")
    # then sales may look but not move stock, HR may not look, the other company sees nothing
    assert selectors.stock_by_location(user=seller, company=company, location_id=warehouse.stock_location.pk).items == []
    with pytest.raises(PermissionDenied):
        selectors.stock_by_location(user=hr, company=company, location_id=warehouse.stock_location.pk)
    with pytest.raises(PermissionDenied):
        selectors.product_get(user=outsider, company=company, product_id=product.pk)
    with pytest.raises(NotFound):
        selectors.product_get(user=outsider, company=other_company, product_id=product.pk)
    with pytest.raises(PermissionDenied):
        services.reservation_create(
            actor=seller,
            company=company,
            product_id=product.pk,
            location_id=warehouse.stock_location.pk,
            quantity=D(1),
            reference="X",
        )
