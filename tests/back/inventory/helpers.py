"""Stock documents in one line each, made through the services as a clerk would."""

from __future__ import annotations

from decimal import Decimal

from spona.back.inventory import services
from spona.back.inventory.models import Product, Transfer, Warehouse
from spona.core.models import Company, Party


def receive(
    company: Company,
    warehouse: Warehouse,
    product: Product,
    quantity: Decimal | int,
    *,
    lot: str = "",
    party: Party | None = None,
) -> Transfer:
    """Receive ``quantity`` of a product from the suppliers into the warehouse's stock."""
    transfer = services.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        party_id=party.pk if party else None,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=Decimal(quantity), lot=lot)],
    )
    return services.transfer_validate(actor=None, company=company, transfer_id=transfer.pk)


def delivery(
    company: Company, warehouse: Warehouse, product: Product, quantity: Decimal | int, *, party: Party | None = None
) -> Transfer:
    """Draft a delivery of ``quantity`` of a product from the warehouse's stock to the customers."""
    return services.transfer_create(
        actor=None,
        company=company,
        kind="delivery",
        warehouse_id=warehouse.pk,
        party_id=party.pk if party else None,
        lines=[services.TransferLineIn(product_id=product.pk, quantity=Decimal(quantity))],
    )
