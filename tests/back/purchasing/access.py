"""Purchasing records to attack and sample bodies for the route matrices (QUALITY SEC1) and the fuzzer (A1)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from spona.back.finance import selectors as finance_selectors
from spona.back.finance import services as finance
from spona.back.inventory import services as inventory
from spona.back.purchasing import services
from spona.back.purchasing.models import PurchaseBill, PurchaseOrder, ReorderRule
from spona.core.models import Company
from tests.factories import deliver_events, member, party

SENTINEL = "Sentinel Victim"
API_GROUP = "purchasing"
PK_OF = {
    "purchasing:order_": "po_id",
    "purchasing:rule_": "po_rule_id",
    "purchasing:bill_": "po_bill_id",
}


def records(company: Company, label: str = SENTINEL) -> dict[str, int]:
    """A reorder rule, a draft RFQ, and a received order with a draft vendor bill; return their ids."""
    if finance_selectors.account_for_role(company=company, role="stock_input") is None:
        finance.ledger_setup(actor=None, company=company)
    count = inventory.uom_category_create(actor=None, company=company, name=f"{label} PO count")
    unit = inventory.uom_create(actor=None, company=company, category_id=count.pk, name=f"{label} PO pcs", rounding=D(1))
    product = inventory.product_create(
        actor=None, company=company, data=inventory.ProductInput(name=f"{label} Bought", sku="PO-SENTINEL", uom_id=unit.pk)
    )
    warehouse = inventory.warehouse_create(actor=None, company=company, code="PWH", name=f"{label} Purchasing warehouse")
    supplier = party(company, f"{label} Supplier")
    inventory.supplier_info_set(
        actor=None, company=company, product_id=product.pk, supplier_id=supplier.pk, price_breaks=[(D(1), D("3.00"))]
    )
    rule = services.rule_create(
        actor=None,
        company=company,
        data=services.RuleIn(product_id=product.pk, warehouse_id=warehouse.pk, min_quantity=D(5), max_quantity=D(20)),
    )

    def rfq(note: str) -> PurchaseOrder:
        return services.order_create(
            actor=None,
            company=company,
            data=services.OrderIn(
                supplier_id=supplier.pk,
                warehouse_id=warehouse.pk,
                notes=note,
                lines=[services.LineIn(product_id=product.pk, quantity=D(10))],
            ),
        )

    draft = rfq(f"{label} RFQ")
    received = rfq(f"{label} received")
    buyer = member(company, "operations", full_name=f"{label} Buyer")
    received = services.order_confirm(actor=buyer, company=company, order_id=received.pk)
    inventory.transfer_validate(actor=None, company=company, transfer_id=received.receipt_id)
    deliver_events()
    bill = services.bill_create(actor=buyer, company=company, order_id=received.pk, reference=f"{label} bill")
    return {
        "po_id": draft.pk,
        "po_received_id": received.pk,
        "po_rule_id": rule.pk,
        "po_bill_id": bill.pk,
        "po_product_id": product.pk,
        "po_warehouse_id": warehouse.pk,
        "po_supplier_id": supplier.pk,
    }


# A valid body per purchasing operation that takes one; ``ids`` are the victim company's records.
SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_purchasing_rule": lambda ids: {
        "product_id": ids["po_product_id"],
        "warehouse_id": ids["po_warehouse_id"],
        "min_quantity": "1",
        "max_quantity": "2",
    },
    "update_purchasing_rule": lambda ids: {
        "product_id": ids["po_product_id"],
        "warehouse_id": ids["po_warehouse_id"],
        "min_quantity": "0",
        "max_quantity": "0",
        "version": 1,
    },
    "order_purchasing_replenishment": lambda ids: {"rule_ids": [ids["po_rule_id"]]},
    "create_purchasing_order": lambda ids: {
        "supplier_id": ids["po_supplier_id"],
        "warehouse_id": ids["po_warehouse_id"],
        "notes": "Planted",
        "lines": [{"product_id": ids["po_product_id"], "quantity": "1"}],
    },
    "update_purchasing_order": lambda ids: {
        "supplier_id": ids["po_supplier_id"],
        "warehouse_id": ids["po_warehouse_id"],
        "notes": "Planted",
        "version": 1,
        "lines": [{"product_id": ids["po_product_id"], "quantity": "1"}],
    },
    "bill_purchasing_order": lambda ids: {"reference": "Planted"},
    "post_purchasing_bill": lambda ids: {"confirm_differences": True},
}


def assert_untouched(ids: dict[str, int]) -> None:
    """The victim's rule, RFQ, order and bill are as records() made them; nothing was planted."""
    rule = ReorderRule.objects.get(pk=ids["po_rule_id"])
    assert (rule.min_quantity, rule.max_quantity, rule.version) == (D(5), D(20), 1)
    draft = PurchaseOrder.objects.get(pk=ids["po_id"])
    assert (draft.state, draft.version, draft.notes) == ("draft", 1, f"{SENTINEL} RFQ")
    received = PurchaseOrder.objects.get(pk=ids["po_received_id"])
    assert received.state == "billed"
    bill = PurchaseBill.objects.select_related("invoice").get(pk=ids["po_bill_id"])
    assert bill.invoice.state == "draft"
    assert PurchaseBill.objects.filter(order=received).count() == 1
    assert not PurchaseOrder.objects.filter(company_id=draft.company_id, notes="Planted").exists()
    assert PurchaseOrder.objects.filter(company_id=draft.company_id).count() == 2
