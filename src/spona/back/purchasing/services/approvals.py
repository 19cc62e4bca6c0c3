"""The purchasing side of approvals: ask automation who approves an order, and hear its decision."""

from __future__ import annotations

from django.urls import reverse

import spona.bridge.automation.services as automation
from spona.back.purchasing.models import PurchaseOrder
from spona.core.models import Company, User

KIND = "purchasing.order"
RECORD_TYPE = "purchasing.purchaseorder"


def approval_ask(*, actor: User, company: Company, order: PurchaseOrder) -> None:
    """Request approval of an order above the threshold; automation's policy names the approvers."""
    automation.approval_request(
        actor=actor,
        company=company,
        kind=KIND,
        record_type=RECORD_TYPE,
        record_id=order.pk,
        subject=f"Purchase order {order.number} to {order.supplier.name}",
        amount=order.total,
        currency=order.currency,
        url=reverse("purchasing:order_detail", args=[order.pk]),
    )
