"""Asking a manager's approval (through automation) and applying the decision when it comes back."""

from __future__ import annotations

from django.urls import reverse

from spona.bridge.automation.services import approval_request
from spona.core.models import User
from spona.front.sales.models import Order, Quotation

QUOTATION = "sales.quotation"
ORDER = "sales.order"


def ask_discount_approval(*, actor: User | None, quotation: Quotation) -> None:
    """Ask for approval of a quotation whose discount is above the company's limit.

    Without a requesting user (the demo, a script) the quotation simply waits: a salesperson
    asks when they next save it.
    """
    requester = actor if actor is not None else quotation.created_by
    if requester is None:
        return
    approval_request(
        actor=requester,
        company=quotation.company,
        kind="sales.discount",
        record_type=QUOTATION,
        record_id=quotation.pk,
        subject=f"Discount on quotation {quotation} for {quotation.party}",
        amount=quotation.total,
        currency=quotation.currency,
        url=reverse("sales:quotation_detail", args=[quotation.pk]),
    )


def ask_credit_approval(*, requester: User | None, order: Order, reason: str) -> None:
    """Ask for approval of an order above the customer's credit limit (by its salesperson)."""
    if requester is None:
        return
    approval_request(
        actor=requester,
        company=order.company,
        kind="sales.credit_limit",
        record_type=ORDER,
        record_id=order.pk,
        subject=f"Order {order} for {order.party}: {reason}"[:250],
        amount=order.total,
        currency=order.currency,
        url=reverse("sales:order_detail", args=[order.pk]),
    )


def ask_discount_approval_order(*, requester: User | None, order: Order) -> None:
    """Ask for approval of an order entered directly with a discount above the company's limit."""
    if requester is None:
        return
    approval_request(
        actor=requester,
        company=order.company,
        kind="sales.discount",
        record_type=ORDER,
        record_id=order.pk,
        subject=f"Discount on order {order} for {order.party}",
        amount=order.total,
        currency=order.currency,
        url=reverse("sales:order_detail", args=[order.pk]),
    )
