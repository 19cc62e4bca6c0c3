"""A company ready to sell, made through the services: ledger with 20 % VAT, warehouse, stocked products, a customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from spona.back.finance import services as finance
from spona.back.finance.models import Account, Journal, Tax
from spona.back.inventory import services as inventory
from spona.back.inventory.models import Product, Warehouse
from spona.core.models import Company, Party, User
from spona.front.sales import services
from tests.factories import member, party


@dataclass
class World:
    company: Company
    seller: User
    manager: User
    customer: Party
    warehouse: Warehouse
    products: list[Product]
    vat: Tax
    bank: Journal
    accounts: dict[str, Account]


def sales_world(company: Company, *, stock: int = 100) -> World:
    """Set up ``company`` to sell three stocked products (10.00, 25.50, 4.99) with 20 % VAT."""
    finance.ledger_setup(actor=None, company=company)
    vat = Tax.objects.get(company=company, use="sales", amount=20)
    warehouse = inventory.warehouse_create(actor=None, company=company, code="WH", name="Main warehouse")
    category = inventory.uom_category_create(actor=None, company=company, name="Count")
    unit = inventory.uom_create(actor=None, company=company, category_id=category.pk, name="Units", rounding=D(1))
    products = []
    for sku, price, cost in (("CHAIR", "10.00", "6.00"), ("DESK", "25.50", "15.00"), ("LAMP", "4.99", "2.00")):
        products.append(
            inventory.product_create(
                actor=None,
                company=company,
                data=inventory.ProductInput(name=sku.title(), sku=sku, uom_id=unit.pk, sale_price=D(price), cost_price=D(cost)),
            )
        )
    receipt = inventory.transfer_create(
        actor=None,
        company=company,
        kind="receipt",
        warehouse_id=warehouse.pk,
        lines=[inventory.TransferLineIn(product_id=p.pk, quantity=D(stock)) for p in products],
    )
    inventory.transfer_validate(actor=None, company=company, transfer_id=receipt.pk)
    settings = services.settings_for(company=company)
    settings.default_tax = vat
    settings.save()
    return World(
        company=company,
        seller=member(company, "sales", full_name="Sava Sales", email=f"sava@{company.code}.test"),
        manager=member(company, "management", full_name="Mara Manager", email=f"mara@{company.code}.test"),
        customer=party(company, "Kupac d.o.o."),
        warehouse=warehouse,
        products=products,
        vat=vat,
        bank=Journal.objects.get(company=company, code="BNK"),
        accounts={a.code: a for a in Account.objects.filter(company=company)},
    )
