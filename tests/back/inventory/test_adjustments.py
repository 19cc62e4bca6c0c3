"""Physical inventory counts and scrap."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from spona.back.inventory import selectors, services
from spona.back.inventory.models import StockQuant
from spona.core.errors import ValidationFailed
from spona.core.models import AuditEntry
from tests.back.inventory.helpers import receive


def test_a_count_books_each_difference_against_inventory_loss(company, warehouse, make_product, clerk):
    # given 10 bolts and 4 nuts on hand
    bolt, nut, washer = make_product("BOLT"), make_product("NUT"), make_product("WASHER")
    receive(company, warehouse, bolt, 10)
    receive(company, warehouse, nut, 4)
    # when the count finds 8 bolts, 6 nuts, 4 washers nobody had booked
    moves = services.inventory_count_apply(
        actor=clerk,
        company=company,
        location_id=warehouse.stock_location.pk,
        reason="Annual count 2026",
        counts=[services.CountIn(bolt.pk, D(8)), services.CountIn(nut.pk, D(6)), services.CountIn(washer.pk, D(4))],
    )
    # then three done moves with the reason bring the figures to the count
    found = {(m.product.sku, m.from_location.kind, m.to_location.kind, m.quantity, m.reason) for m in moves}
    assert found == {
        ("BOLT", "internal", "inventory_loss", D(2), "Annual count 2026"),
        ("NUT", "inventory_loss", "internal", D(2), "Annual count 2026"),
        ("WASHER", "inventory_loss", "internal", D(4), "Annual count 2026"),
    }
    assert dict(StockQuant.objects.values_list("product__sku", "quantity")) == {"BOLT": D(8), "NUT": D(6), "WASHER": D(4)}
    assert AuditEntry.objects.filter(action="counted", target_type="inventory.location").exists()
    assert selectors.stock_check(company) == []


def test_a_count_needs_a_reason_and_sensible_figures(company, warehouse, product, make_product):
    stock = warehouse.stock_location.pk
    with pytest.raises(ValidationFailed, match="reason"):
        services.inventory_count_apply(actor=None, company=company, location_id=stock, reason=" ", counts=[])
    with pytest.raises(ValidationFailed):
        services.inventory_count_apply(
            actor=None, company=company, location_id=stock, reason="x", counts=[services.CountIn(product.pk, D(-1))]
        )
    with pytest.raises(ValidationFailed, match="twice"):
        services.inventory_count_apply(
            actor=None, company=company, location_id=stock, reason="x", counts=[services.CountIn(product.pk, D(1))] * 2
        )
    lots = make_product("LOTS", tracking="lot")
    with pytest.raises(ValidationFailed, match="per lot"):
        services.inventory_count_apply(
            actor=None, company=company, location_id=stock, reason="x", counts=[services.CountIn(lots.pk, D(1))]
        )
    with pytest.raises(ValidationFailed, match="internal"):
        services.inventory_count_apply(
            actor=None,
            company=company,
            location_id=warehouse.view_location.pk,
            reason="x",
            counts=[services.CountIn(product.pk, D(1))],
        )


def test_a_count_below_what_is_reserved_is_still_the_truth(company, warehouse, product):
    # given 5 on hand, 4 of them reserved
    receive(company, warehouse, product, 5)
    services.reservation_create(
        actor=None, company=company, product_id=product.pk, location_id=warehouse.stock_location.pk, quantity=D(4), reference="SO"
    )
    # when only 2 are found
    services.inventory_count_apply(
        actor=None,
        company=company,
        location_id=warehouse.stock_location.pk,
        reason="Spot check",
        counts=[services.CountIn(product.pk, D(2))],
    )
    # then on hand is 2, the reservation still waits for 4, and the figures agree with history
    quant = StockQuant.objects.get(product=product)
    assert (quant.quantity, quant.reserved) == (D(2), D(4))
    assert selectors.stock_check(company) == []


def test_scrap_writes_off_available_stock_only(company, warehouse, product, clerk):
    receive(company, warehouse, product, 5)
    services.reservation_create(
        actor=None, company=company, product_id=product.pk, location_id=warehouse.stock_location.pk, quantity=D(3), reference="SO"
    )
    move = services.scrap(
        actor=clerk,
        company=company,
        product_id=product.pk,
        location_id=warehouse.stock_location.pk,
        quantity=D(2),
        reason="Rusty",
    )
    assert (move.to_location.kind, move.reason, move.state) == ("inventory_loss", "Scrap: Rusty", "done")
    with pytest.raises(services.InsufficientStock, match="0 available, 1 requested"):
        services.scrap(
            actor=clerk,
            company=company,
            product_id=product.pk,
            location_id=warehouse.stock_location.pk,
            quantity=D(1),
            reason="More",
        )
    assert StockQuant.objects.get(product=product).quantity == D(3)
