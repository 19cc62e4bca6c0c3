"""Reactions to other apps' events: each tells the people concerned, through ``services.notify``.

Short and idempotent: a notification names its event, so a redelivered event notifies nobody
twice. The actor is never told about what they did themselves.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

import spona.front.crm.selectors as crm_selectors
from spona.bridge.notifications import services
from spona.core.models import Event


def on_ticket_assigned(event: Event) -> None:
    """Tell an agent that a ticket was given to them (by someone else or by a rule)."""
    payload = event.payload
    assignee_id = payload.get("assignee_id")
    if event.company is None or assignee_id is None or assignee_id == event.actor_id:
        return
    services.notify(
        company=event.company,
        kind="ticket_assigned",
        user_ids=[assignee_id],
        title=format_lazy(_("Ticket {number} was assigned to you"), number=payload["number"]),
        body=payload["subject"],
        link=reverse("support:ticket_detail", args=[payload["ticket_id"]]),
        event=event,
    )


def on_opportunity_created(event: Event) -> None:
    """Tell a salesperson that a new opportunity names them as its owner (a lead qualified for them, a rule)."""
    if event.company is None:
        return
    opportunity_id = event.payload["opportunity_id"]
    owner_id = crm_selectors.opportunity_owner_id(company=event.company, opportunity_id=opportunity_id)
    if owner_id is None or owner_id == event.actor_id:
        return
    services.notify(
        company=event.company,
        kind="opportunity_assigned",
        user_ids=[owner_id],
        title=format_lazy(_("Opportunity {title} is yours"), title=event.payload["title"]),
        body=format_lazy(
            _("Expected revenue {amount} {currency}, stage {stage}."),
            amount=event.payload["expected_revenue"],
            currency=event.payload["currency"],
            stage=event.payload["stage"],
        ),
        link=reverse("crm:opportunity_detail", args=[opportunity_id]),
        event=event,
    )


def on_invoice_overdue(event: Event) -> None:
    """Tell the customer's salesperson (their account owner in the CRM) that an invoice is overdue."""
    if event.company is None or event.party_id is None:
        return
    owner_id = crm_selectors.account_owner_id(company=event.company, party_id=event.party_id)
    if owner_id is None:
        return
    payload = event.payload
    services.notify(
        company=event.company,
        kind="invoice_overdue",
        user_ids=[owner_id],
        title=format_lazy(_("Invoice {number} of {customer} is overdue"), number=payload["number"], customer=event.party),
        body=format_lazy(
            _("{total} {currency} was due on {due_date}."),
            total=payload["total"],
            currency=payload["currency"],
            due_date=payload["due_date"],
        ),
        link=reverse("finance:invoice_detail", args=[payload["invoice_id"]]),
        event=event,
    )


def on_below_reorder_point(event: Event) -> None:
    """Tell the buyers (the operations role) that a product's forecast fell below its reorder point."""
    if event.company is None:
        return
    payload = event.payload
    services.notify(
        company=event.company,
        kind="stock_low",
        role="operations",
        title=format_lazy(
            _("{sku} is below its reorder point in {warehouse}"), sku=payload["sku"], warehouse=payload["warehouse"]
        ),
        body=format_lazy(
            _("Forecast {forecast}, reorder point {minimum}."), forecast=payload["forecast"], minimum=payload["min_quantity"]
        ),
        link=reverse("purchasing:replenishment"),
        event=event,
    )
