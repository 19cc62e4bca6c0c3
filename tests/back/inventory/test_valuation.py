"""Stock valuation: average and FIFO with exact figures, and the entries posted through finance."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.finance import selectors as ledger
from spona.back.finance import services as finance
from spona.back.inventory import selectors, services
from spona.back.inventory.models import Location, ValuationLayer
from spona.back.inventory.services.locations import virtual_location
from spona.core.errors import ValidationFailed
from tests.back.inventory.helpers import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(company):
    finance.ledger_setup(actor=None, company=company)
    return company


def balance(company, role):
    account = ledger.account_for_role(company=company, role=role)
    return ledger.account_balance(company=company, account_id=account.pk)


def receive_at(company, warehouse, product, quantity, unit_cost, *, from_location_id=None):
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        from_location_id=from_location_id,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=D(quantity), unit_cost=D(unit_cost))],
    )
    return services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)


def deliver(company, warehouse, product, quantity):
    transfer = delivery(company, warehouse, product, quantity)
    return services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)


def layers(transfer):
    return list(ValuationLayer.objects.filter(move__transfer=transfer).order_by("pk"))


def stock_value(company, product):
    return sum((layer.value for layer in ValuationLayer.objects.filter(company=company, product=product)), D(0))


@pytest.fixture
def fifo(company):
    return services.category_create(actor=None, company=company, name="Fasteners", costing_method="fifo")


def test_average_cost_values_a_delivery_at_the_running_average(books, warehouse, product):
    # given 10 received at 2.00 and 10 at 3.00
    receive_at(books, warehouse, product, 10, "2.00")
    receive_at(books, warehouse, product, 10, "3.00")
    # when 4 are delivered
    out = deliver(books, warehouse, product, 4)
    # then they leave at the average 2.50, and the ledger follows to the cent
    [layer] = layers(out)
    assert (layer.quantity, layer.unit_cost, layer.value) == (D(-4), D("2.5"), D("-10.00"))
    assert (layer.balance_quantity, layer.balance_value) == (D(16), D("40.00"))
    assert balance(books, "stock") == D("40.00")
    assert balance(books, "stock_input") == D("-50.00")
    assert balance(books, "cogs") == D("10.00")
    assert selectors.product_unit_cost(company=books, product_id=product.pk) == D("2.5")


def test_average_cost_rounding_leaves_the_residue_with_the_last_unit(books, warehouse, product):
    # given 3 units worth 10.00 together (3 × 3.3333 = 9.9999, rounded to 10.00)
    receive_at(books, warehouse, product, 3, "3.3333")
    # when they are delivered one by one
    values = [layers(deliver(books, warehouse, product, 1))[0].value for _ in range(3)]
    # then the cents add up to exactly what came in, the last unit taking the rest
    assert values == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert stock_value(books, product) == D(0)
    assert balance(books, "stock") == D(0)
    assert balance(books, "cogs") == D("10.00")


def test_fifo_delivers_the_oldest_receipts_first(books, warehouse, make_product, fifo):
    # given a FIFO product received 5 at 1.00, then 5 at 2.00
    bolt = make_product("FIFO", category_id=fifo.pk)
    first = layers(receive_at(books, warehouse, bolt, 5, "1.00"))[0]
    second = layers(receive_at(books, warehouse, bolt, 5, "2.00"))[0]
    # when 7 are delivered
    out = layers(deliver(books, warehouse, bolt, 7))[0]
    # then 5 × 1.00 + 2 × 2.00 = 9.00 leave; 3 of the second receipt remain, worth 6.00
    assert out.value == D("-9.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.remaining_quantity, first.remaining_value) == (D(0), D(0))
    assert (second.remaining_quantity, second.remaining_value) == (D(3), D("6.00"))
    assert selectors.product_unit_cost(company=books, product_id=bolt.pk) == D(2)
    # and the rest leaves at 6.00, emptying every layer
    assert layers(deliver(books, warehouse, bolt, 3))[0].value == D("-6.00")
    second.refresh_from_db()
    assert second.remaining_quantity == 0 and second.remaining_value == 0
    assert balance(books, "stock") == D(0)
    assert balance(books, "cogs") == D("15.00")


def test_fifo_split_of_a_layer_rounds_and_keeps_the_rest_for_the_last_unit(books, warehouse, make_product, fifo):
    # given 3 FIFO units worth 10.00
    bolt = make_product("FIFO3", category_id=fifo.pk)
    receive_at(books, warehouse, bolt, 3, "3.3333")
    # when they leave one by one
    values = [layers(deliver(books, warehouse, bolt, 1))[0].value for _ in range(3)]
    # then 3.33 + 3.34 + 3.33 = 10.00
    assert values == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert balance(books, "stock") == D(0)


def test_a_customer_return_comes_back_at_the_current_cost_against_cogs(books, warehouse, product):
    # given 10 received at 2.00 and 4 delivered
    receive_at(books, warehouse, product, 10, "2.00")
    deliver(books, warehouse, product, 4)
    customers = virtual_location(books, Location.Kind.CUSTOMER)
    # when 1 comes back from the customers, whatever price the return line names
    back = receive_at(books, warehouse, product, 1, "9.99", from_location_id=customers.pk)
    # then it is valued at the average 2.00 and reverses the cost of goods sold
    assert back.from_location_id == customers.pk
    assert layers(back)[0].value == D("2.00")
    assert balance(books, "cogs") == D("6.00")
    assert balance(books, "stock") == D("14.00")
    assert selectors.stock_level(
        user=None, company=books, product_id=product.pk, location_id=warehouse.stock_location_id
    ).on_hand == D(7)


def test_counts_and_scrap_go_against_stock_losses_at_the_current_cost(books, warehouse, product):
    # given 10 received at 2.00
    receive_at(books, warehouse, product, 10, "2.00")
    stock = warehouse.stock_location
    # when a count finds 12, then 1 is scrapped
    services.inventory_count_apply(
        actor=None, company=books, location_id=stock.pk, counts=[services.CountIn(product.pk, D(12))], reason="Year end"
    )
    services.scrap(actor=None, company=books, product_id=product.pk, location_id=stock.pk, quantity=D(1), reason="Broken")
    # then +4.00 and −2.00 went through stock losses
    assert balance(books, "stock_loss") == D("-2.00")
    assert balance(books, "stock") == D("22.00")
    assert stock_value(books, product) == D("22.00")


def test_moves_to_and_from_production_go_through_work_in_progress(books, warehouse, product, make_product):
    # given 10 components received at 2.00
    receive_at(books, warehouse, product, 10, "2.00")
    production = virtual_location(books, Location.Kind.PRODUCTION)
    stock = warehouse.stock_location
    # when 3 are consumed by production and one finished good worth 6.50 comes out
    consumed = services.move_create(
        actor=None,
        company=books,
        product_id=product.pk,
        from_location_id=stock.pk,
        to_location_id=production.pk,
        quantity=D(3),
        reference="MO/001",
        done=True,
    )
    table = make_product("TABLE")
    services.move_create(
        actor=None,
        company=books,
        product_id=table.pk,
        from_location_id=production.pk,
        to_location_id=stock.pk,
        quantity=D(1),
        unit_cost=D("6.50"),
        reference="MO/001",
        done=True,
    )
    # then WIP took 6.00 in and gave 6.50 out; the selectors tell the values
    assert balance(books, "wip") == D("-0.50")
    assert balance(books, "stock") == D("20.50")
    assert selectors.move_values(company=books, move_ids=[consumed.pk]) == {consumed.pk: D("6.00")}


def test_internal_transfers_and_services_change_no_value(books, warehouse, product):
    # given stock and a second internal location
    receive_at(books, warehouse, product, 5, "2.00")
    shelf = services.location_create(actor=None, company=books, name="Shelf", parent_id=warehouse.stock_location_id)
    # when stock moves to the shelf
    move = services.move_create(
        actor=None,
        company=books,
        product_id=product.pk,
        from_location_id=warehouse.stock_location_id,
        to_location_id=shelf.pk,
        quantity=D(2),
        done=True,
    )
    # then the move has no layer and is worth 0
    assert not ValuationLayer.objects.filter(move=move).exists()
    assert selectors.move_values(company=books, move_ids=[move.pk]) == {move.pk: D(0)}


def test_one_entry_per_transfer_in_the_stock_journal(books, warehouse, product, make_product):
    # given two products on one receipt
    nut = make_product("NUT")
    transfer = services.transfer_create(
        actor=None,
        company=books,
        kind="receipt",
        warehouse_id=warehouse.pk,
        reference="PO0001",
        lines=[
            services.TransferLineIn(product_id=product.pk, quantity=D(4), unit_cost=D("0.25")),
            services.TransferLineIn(product_id=nut.pk, quantity=D(10), unit_cost=D("0.10")),
        ],
    )
    # when it is validated
    services.transfer_validate(actor=None, company=books, transfer_id=transfer.pk)
    # then both layers share one posted entry referring to the transfer
    found = layers(transfer)
    assert len(found) == 2 and found[0].entry_id == found[1].entry_id is not None
    entry = found[0].entry
    assert (entry.journal.code, entry.reference, entry.state) == ("STK", transfer.number, "posted")
    assert balance(books, "stock") == D("2.00")


def test_a_company_without_a_ledger_gets_layers_but_no_entries(company, warehouse, product):
    # given no chart of accounts
    # when stock is received
    received = receive_at(company, warehouse, product, 2, "1.50")
    # then it is valued, with nothing posted
    [layer] = layers(received)
    assert (layer.value, layer.entry_id) == (D("3.00"), None)


def test_move_values_leave_out_other_companies(books, other_company, warehouse, product):
    # given a valued receipt
    [layer] = layers(receive_at(books, warehouse, product, 2, "1.50"))
    # when another company asks for its value
    # then it learns nothing
    assert selectors.move_values(company=other_company, move_ids=[layer.move_id]) == {}
    assert selectors.move_values(company=books, move_ids=[layer.move_id]) == {layer.move_id: D("3.00")}


def test_the_costing_method_is_fixed_once_stock_is_valued(books, warehouse, make_product, fifo):
    # given a valued FIFO product
    receive_at(books, warehouse, make_product("F1", category_id=fifo.pk), 1, "1")
    # when the category is switched to average
    # then it is refused
    with pytest.raises(ValidationFailed, match="cannot change"):
        services.category_update(
            actor=None, company=books, category_id=fifo.pk, name=fifo.name, parent_id=None, costing_method="average"
        )
