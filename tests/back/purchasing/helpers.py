"""A purchasing world in one call, made through the services as people would."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from spona.back.finance import services as finance
from spona.back.inventory import services as inventory
from spona.back.inventory.models import Product, Warehouse
from spona.back.purchasing import services
from spona.back.purchasing.models import PurchaseOrder
from spona.core.models import Company, Party, User
from tests.factories import member, party


@dataclass
class Setting:
    company: Company
    buyer: User
    manager: User
    accountant: User
    warehouse: Warehouse
    bolt: Product
    nut: Product
    supplier: Party
    other_supplier: Party


def setting(company: Company) -> Setting:
    """Bolts from Vijci d.o.o. (2.00 from 1, 1.80 from 100, 5 days), nuts from two suppliers."""
    finance.ledger_setup(actor=None, company=company)
    count = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name="Units", rounding=D(1))
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Main warehouse")
    bolt = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name="Bolt M8", sku="BOLT", uom_id=unit.pk, cost_price=D("1.90"))
    )
    nut = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name="Nut M8", sku="NUT", uom_id=unit.pk, cost_price=D("0.40"))
    )
    supplier = party(company, "Vijci d.o.o.")
    other = party(company, "Matice a.d.")
    inventory.supplier_info_set(
        actor=None,
        company=company,
        product_id=bolt.pk,
        supplier_id=supplier.pk,
        lead_time_days=5,
        price_breaks=[(D(1), D("2.00")), (D(100), D("1.80"))],
    )
    inventory.supplier_info_set(
        actor=None,
        company=company,
        product_id=nut.pk,
        supplier_id=supplier.pk,
        lead_time_days=5,
        price_breaks=[(D(1), D("0.50"))],
    )
    inventory.supplier_info_set(
        actor=None, company=company, product_id=nut.pk, supplier_id=other.pk, lead_time_days=2, price_breaks=[(D(1), D("0.45"))]
    )
    return Setting(
        company=company,
        buyer=member(company, "operations", full_name="Olga Operations", email="buyer@acme.test"),
        manager=member(company, "management", full_name="Mara Management", email="boss@acme.test"),
        accountant=member(company, "finance", full_name="Filip Finance", email="finance@acme.test"),
        warehouse=warehouse,
        bolt=bolt,
        nut=nut,
        supplier=supplier,
        other_supplier=other,
    )


def confirmed_order(s: Setting, quantity: int = 100, product: Product | None = None) -> PurchaseOrder:
    """A confirmed purchase order (below the approval threshold) with its receipt planned."""
    order = services.order_create(
        actor=s.buyer,
        company=s.company,
        data=services.OrderIn(
            supplier_id=s.supplier.pk,
            warehouse_id=s.warehouse.pk,
            lines=[services.LineIn(product_id=(product or s.bolt).pk, quantity=D(quantity))],
        ),
    )
    return services.order_confirm(actor=s.buyer, company=s.company, order_id=order.pk)


def receive(s: Setting, order: PurchaseOrder, quantities: dict[int, D] | None = None) -> None:
    """Validate the order's open receipt (by product: quantity), as the warehouse clerk would."""
    from spona.back.inventory.models import Transfer

    transfer = Transfer.objects.filter(company=s.company, reference=order.number, state="confirmed").get()
    lines = None
    if quantities is not None:
        lines = {line.pk: quantities.get(line.product_id, D(0)) for line in transfer.lines.all()}
    inventory.transfer_validate(actor=None, company=s.company, transfer_id=transfer.pk, quantities=lines)
