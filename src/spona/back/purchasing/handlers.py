"""Reactions of purchasing to other apps' events; short, idempotent, subscribed in apps.py ready()."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from spona.back.purchasing import services
from spona.back.purchasing.services.approvals import KIND, RECORD_TYPE
from spona.core.models import Event


def on_inventory_received(event: Event) -> None:
    """Add a receipt's quantities to the purchase order it names as its source document."""
    payload = event.payload
    if not payload.get("reference") or event.company is None:
        return
    services.order_register_receipt(
        company=event.company,
        reference=payload["reference"],
        transfer_id=payload["transfer_id"],
        receipt_number=payload["number"],
        backorder_number=payload["backorder_number"],
        lines=[(line["product_id"], Decimal(line["quantity"])) for line in payload["lines"]],
        received_on=timezone.localtime(event.occurred_at).date(),
    )


def on_approval_decided(event: Event) -> None:
    """Confirm an approved purchase order, or send a rejected one back to RFQ."""
    payload = event.payload
    if payload.get("kind") != KIND or payload.get("record_type") != RECORD_TYPE or event.company is None:
        return
    services.order_decide(
        company=event.company,
        order_id=payload["record_id"],
        approved=payload["outcome"] == "approved",
        comment=payload.get("comment", ""),
    )


def on_invoice_posted(event: Event) -> None:
    """A vendor bill made from an order was posted in finance: the order may be done."""
    if event.payload.get("kind") != "in_invoice" or event.company is None:
        return
    services.bills_refresh(company=event.company, invoice_id=event.payload["invoice_id"])
