"""Reactions of sales to other apps' events: deliveries done, approvals decided."""

from __future__ import annotations

from decimal import Decimal

from spona.core.models import Event
from spona.front.sales import services
from spona.front.sales.models import Order, Quotation
from spona.front.sales.services.approvals import ORDER, QUOTATION


def on_delivered(event: Event) -> None:
    """Count a done delivery on the order whose number it carries as reference."""
    data = event.payload
    if not data.get("reference") or event.company is None:
        return
    quantities: dict[int, Decimal] = {}
    for line in data.get("lines", []):
        quantities[line["product_id"]] = quantities.get(line["product_id"], Decimal(0)) + Decimal(line["quantity"])
    services.delivered_apply(
        company=event.company, reference=data["reference"], transfer_id=data["transfer_id"], quantities=quantities
    )


def on_approval_decided(event: Event) -> None:
    """Move a quotation or an order on when the manager's decision on it comes back."""
    data = event.payload
    approved = data.get("outcome") == "approved"
    if data.get("record_type") == QUOTATION and data.get("kind") == "sales.discount":
        quotation = Quotation.objects.select_for_update().filter(pk=data["record_id"], company=event.company).first()
        if quotation is not None and quotation.is_open():
            services.discount_approved(quotation=quotation, approved=approved)
    elif data.get("record_type") == ORDER:
        order = (
            Order.objects.select_for_update()
            .select_related("party", "company")
            .filter(pk=data["record_id"], company=event.company)
            .first()
        )
        if order is not None and order.status == Order.Status.DRAFT:
            services.approval_decided(order=order, approved=approved, confirm=data.get("kind") == "sales.credit_limit")
