"""Receipts, deliveries and internal transfers: confirm, validate, backorders, cancel."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction

from spona.back.inventory import selectors, services
from spona.back.inventory.models import Location, Reservation, StockMove, StockQuant, Transfer
from spona.core.errors import NotFound, StateError, ValidationFailed
from spona.core.models import Event, TimelineEntry
from tests.back.inventory.helpers import delivery, receive
from tests.factories import deliver_events, party


def stock_of(product, location) -> tuple[D, D]:
    quant = StockQuant.objects.filter(product=product, location=location).first()
    return (quant.quantity, quant.reserved) if quant else (D(0), D(0))


def test_a_receipt_is_numbered_brings_stock_in_and_lands_on_the_suppliers_timeline(company, warehouse, product, supplier, clerk):
    # given a draft receipt from a supplier
    transfer = services.transfer_create(
        actor=clerk,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        party_id=supplier.pk,
        reference="PO-17",
        lines=[services.TransferLineIn(product_id=product.pk, quantity=D(20), unit_cost=D("0.45"))],
    )
    assert (transfer.number, transfer.state) == ("WH/IN/00001", "draft")
    assert transfer.from_location.kind == "supplier" and transfer.to_location == warehouse.stock_location
    # when it is validated
    services.transfer_validate(actor=clerk, company=company, transfer_id=transfer.pk)
    # then the stock is in, the move keeps the unit cost, and the supplier's timeline shows the receipt
    transfer.refresh_from_db()
    assert transfer.state == "done" and transfer.done_at is not None
    assert stock_of(product, warehouse.stock_location) == (D(20), D(0))
    assert transfer.moves.get().unit_cost == D("0.45")
    event = Event.objects.get(name="inventory.received")
    assert event.party == supplier and event.payload["lines"] == [{"product_id": product.pk, "sku": "BOLT", "quantity": "20"}]
    deliver_events()
    assert TimelineEntry.objects.filter(party=supplier, title="Receipt WH/IN/00001 received").exists()


def test_numbers_are_gapless_per_kind(company, warehouse, product):
    numbers = [
        services.transfer_create(
            actor=None, company=company, kind=kind, warehouse_id=warehouse.pk, lines=[services.TransferLineIn(product.pk, D(1))]
        ).number
        for kind in ("receipt", "delivery", "receipt")
    ]
    assert numbers == ["WH/IN/00001", "WH/OUT/00001", "WH/IN/00002"]


def test_a_delivery_reserves_on_confirm_and_ships_on_validate(company, warehouse, product, customer, clerk):
    # given 10 in stock and a delivery of 4 to a customer
    receive(company, warehouse, product, 10)
    transfer = delivery(company, warehouse, product, 4, party=customer)
    # when it is confirmed
    services.transfer_confirm(actor=clerk, company=company, transfer_id=transfer.pk)
    # then 4 are reserved and a planned move exists
    assert stock_of(product, warehouse.stock_location) == (D(10), D(4))
    assert transfer.moves.get().state == "draft"
    # when it is validated
    services.transfer_validate(actor=clerk, company=company, transfer_id=transfer.pk)
    # then 4 left for the customers, nothing stays reserved, the planned move became the done move
    assert stock_of(product, warehouse.stock_location) == (D(6), D(0))
    move = transfer.moves.get()
    assert (move.state, move.quantity, move.to_location.kind, move.party) == ("done", D(4), "customer", customer)
    assert Reservation.objects.get(transfer_line__transfer=transfer).state == "consumed"
    assert Event.objects.filter(name="inventory.delivered", party=customer).count() == 1
    assert selectors.stock_check(company) == []


def test_a_delivery_without_stock_cannot_be_confirmed(company, warehouse, product):
    receive(company, warehouse, product, 1)
    transfer = delivery(company, warehouse, product, 2)
    with pytest.raises(services.InsufficientStock, match="insufficient stock: 1 available, 2 requested"):
        services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.state == "draft" and not Reservation.objects.exists()


def test_partial_validation_leaves_a_backorder_with_the_rest_reserved(company, warehouse, product, customer):
    # given a confirmed delivery of 10 out of 12 in stock
    receive(company, warehouse, product, 12)
    transfer = delivery(company, warehouse, product, 10, party=customer)
    services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
    line = transfer.lines.get()
    # when only 6 are shipped
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk, quantities={line.pk: D(6)})
    # then 6 left, and a confirmed backorder carries the 4 others, still reserved for it
    transfer.refresh_from_db()
    backorder = transfer.backorders.get()
    assert (transfer.state, backorder.state, backorder.number) == ("done", "confirmed", "WH/OUT/00002")
    assert backorder.lines.get().quantity == D(4) and transfer.lines.get().quantity_done == D(6)
    assert stock_of(product, warehouse.stock_location) == (D(6), D(4))
    reservation = Reservation.objects.get(state="open")
    assert (reservation.quantity, reservation.transfer_line.transfer, reservation.reference) == (
        D(4),
        backorder,
        backorder.number,
    )
    assert backorder.moves.get().state == "draft"
    assert Event.objects.get(name="inventory.delivered").payload["backorder_number"] == "WH/OUT/00002"
    # when the backorder is validated
    services.transfer_validate(actor=None, company=company, transfer_id=backorder.pk)
    # then everything has shipped and the check agrees
    assert stock_of(product, warehouse.stock_location) == (D(2), D(0))
    assert selectors.stock_check(company) == []


def test_partial_receipt_without_backorder_cancels_the_rest(company, warehouse, product):
    transfer = services.transfer_create(
        actor=None, company=company, kind="receipt", warehouse_id=warehouse.pk, lines=[services.TransferLineIn(product.pk, D(10))]
    )
    line = transfer.lines.get()
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk, quantities={line.pk: D(7)}, backorder=False)
    assert stock_of(product, warehouse.stock_location) == (D(7), D(0))
    assert sorted(transfer.moves.values_list("state", "quantity")) == [("cancelled", D(3)), ("done", D(7))]
    assert not Transfer.objects.filter(backorder_of=transfer).exists()


def test_validation_quantities_are_checked(company, warehouse, product):
    transfer = services.transfer_create(
        actor=None, company=company, kind="receipt", warehouse_id=warehouse.pk, lines=[services.TransferLineIn(product.pk, D(5))]
    )
    line = transfer.lines.get()
    for quantities in ({line.pk: D(6)}, {line.pk: D(0)}, {line.pk + 999: D(1)}, {line.pk: D("0.5")}):
        with pytest.raises(ValidationFailed), transaction.atomic():
            services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk, quantities=quantities)
    transfer.refresh_from_db()
    assert transfer.state == "draft" and not StockMove.objects.filter(state="done").exists()


def test_a_done_transfer_cannot_be_validated_or_cancelled_again(company, warehouse, product):
    transfer = receive(company, warehouse, product, 3)
    with pytest.raises(StateError):
        services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
    with pytest.raises(StateError):
        services.transfer_cancel(actor=None, company=company, transfer_id=transfer.pk)
    assert stock_of(product, warehouse.stock_location) == (D(3), D(0))


def test_cancelling_releases_the_reservation(company, warehouse, product):
    receive(company, warehouse, product, 5)
    transfer = delivery(company, warehouse, product, 5)
    services.transfer_confirm(actor=None, company=company, transfer_id=transfer.pk)
    services.transfer_cancel(actor=None, company=company, transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.state == "cancelled"
    assert stock_of(product, warehouse.stock_location) == (D(5), D(0))
    assert transfer.moves.get().state == "cancelled"
    assert Reservation.objects.get().state == "released"
    assert selectors.stock_check(company) == []


def test_an_internal_transfer_moves_stock_between_shelves(company, warehouse, product):
    shelf = services.location_create(actor=None, company=company, parent_id=warehouse.stock_location.pk, name="Shelf")
    receive(company, warehouse, product, 8)
    with pytest.raises(ValidationFailed):
        services.transfer_create(
            actor=None,
            company=company,
            kind="internal",
            warehouse_id=warehouse.pk,
            lines=[services.TransferLineIn(product.pk, D(1))],
        )
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind="internal",
        warehouse_id=warehouse.pk,
        to_location_id=shelf.pk,
        lines=[services.TransferLineIn(product.pk, D(3))],
    )
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
    assert transfer.number == "WH/INT/00001"
    assert stock_of(product, warehouse.stock_location) == (D(5), D(0)) and stock_of(product, shelf) == (D(3), D(0))
    assert not Event.objects.filter(payload__number="WH/INT/00001").exists()


def test_a_transfer_uses_only_its_own_companys_records(company, other_company, warehouse, product):
    # given another company's party, warehouse and locations
    stranger = party(other_company, "Other Co")
    theirs = services.warehouse_create(actor=None, company=other_company, code="WH", name="Theirs")
    line = [services.TransferLineIn(product.pk, D(1))]
    # then none of them can be used in this company's transfer (SEC4)
    with pytest.raises(NotFound):
        services.transfer_create(
            actor=None, company=company, kind="receipt", warehouse_id=warehouse.pk, party_id=stranger.pk, lines=line
        )
    with pytest.raises(NotFound):
        services.transfer_create(actor=None, company=company, kind="receipt", warehouse_id=theirs.pk, lines=line)
    with pytest.raises(ValidationFailed):
        services.transfer_create(
            actor=None,
            company=company,
            kind="receipt",
            warehouse_id=warehouse.pk,
            to_location_id=theirs.stock_location.pk,
            lines=line,
        )
    with pytest.raises(ValidationFailed):
        services.transfer_create(
            actor=None,
            company=other_company,
            kind="receipt",
            warehouse_id=theirs.pk,
            lines=[services.TransferLineIn(product.pk, D(1))],
        )


def test_services_are_not_transferred(company, warehouse, make_product):
    consulting = make_product("CONSULT", kind="service")
    with pytest.raises(ValidationFailed, match="service"):
        services.transfer_create(
            actor=None,
            company=company,
            kind="receipt",
            warehouse_id=warehouse.pk,
            lines=[services.TransferLineIn(consulting.pk, D(1))],
        )


def test_a_lot_tracked_delivery_ships_from_each_reserved_lot(company, warehouse, make_product):
    cheese = make_product("CHEESE", tracking="lot")
    receive(company, warehouse, cheese, 2, lot="A")
    receive(company, warehouse, cheese, 5, lot="B")
    transfer = delivery(company, warehouse, cheese, 4)
    services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)
    assert sorted((m.lot.name, m.quantity, m.state) for m in transfer.moves.all()) == [("A", D(2), "done"), ("B", D(2), "done")]
    assert selectors.stock_check(company) == []


def test_transfer_list_and_detail(company, warehouse, product, clerk):
    receive(company, warehouse, product, 2)
    draft = delivery(company, warehouse, product, 1)
    assert [t.number for t in selectors.transfer_list(user=clerk, company=company, state="draft")] == [draft.number]
    detail = selectors.transfer_get(user=clerk, company=company, transfer_id=draft.pk)
    assert detail.lines.all()[0].quantity == D(1)
    customers = Location.objects.get(company=company, kind="customer")
    assert detail.to_location == customers
