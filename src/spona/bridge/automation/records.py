"""Record types that rules can be about: their readable fields, the events that name them, their dates.

A rule's conditions read ``record.<field>`` from the record its event names (an invoice, an
opportunity, a party); a time rule picks records by one of their date fields. Each record type
lists exactly which fields are readable, so a rule sees plain values, never model objects.
``register`` adds a type; the types below describe the apps that exist today, read-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q

from spona.back.finance.selectors import invoice_residual
from spona.core.models import Party
from spona.core.money import round_amount


@dataclass(frozen=True)
class RecordType:
    """What automation may read of one kind of record."""

    name: str
    label: str
    fields: dict[str, str]  # readable field -> label (without the "record." prefix)
    load: Callable[[int, int], dict[str, Any] | None]  # (company id, record id) -> values
    events: dict[str, str] = field(default_factory=dict)  # event name -> payload key holding the record id
    dates: dict[str, str] = field(default_factory=dict)  # date field -> label, for time rules
    due: Callable[[int, str, dt.date], list[int]] | None = None  # (company id, date field, on or before) -> ids


RECORD_TYPES: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    """Add a record type (apps call it from their ready())."""
    RECORD_TYPES[record_type.name] = record_type
    return record_type


def for_event(event_name: str) -> RecordType | None:
    """The record type an event is about, if any."""
    return next((rt for rt in RECORD_TYPES.values() if event_name in rt.events), None)


def field_labels(record_type: RecordType | None, event_payload_fields: list[str]) -> dict[str, str]:
    """Every name a condition may use: ``event.*`` of the payload and ``record.*`` of the type."""
    names = {f"event.{name}": name.replace("_", " ") for name in event_payload_fields}
    if record_type is not None:
        names.update({f"record.{name}": label for name, label in record_type.fields.items()})
    return names


# The record types of today's apps ---------------------------------------------------------------


def _party_values(company_id: int, party_id: int | None) -> dict[str, Any] | None:
    if not party_id:
        return None
    party = Party.objects.filter(pk=party_id, company_id=company_id).prefetch_related("tags", "roles").first()
    if party is None:
        return None
    return {
        "id": party.pk,
        "name": party.name,
        "kind": party.kind,
        "tags": sorted(t.name for t in party.tags.all()),
        "roles": sorted(r.role for r in party.roles.all()),
        "is_active": party.is_active,
        "created_at": party.created_at.date().isoformat(),
    }


def _load_party(company_id: int, party_id: int) -> dict[str, Any] | None:
    values = _party_values(company_id, party_id)
    if values is None:
        return None
    return {**values, "party_id": party_id, "party": values}


def _due_parties(company_id: int, date_field: str, on_or_before: dt.date) -> list[int]:
    return list(
        Party.objects.filter(company_id=company_id, merged_into__isnull=True, created_at__date__lte=on_or_before)
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )


def _model(label: str) -> Any:
    # Read through the app registry: automation only reads the listed fields, never writes.
    return apps.get_model(label)


def _load_opportunity(company_id: int, opportunity_id: int) -> dict[str, Any] | None:
    row = (
        _model("crm.Opportunity")
        .objects.filter(pk=opportunity_id, company_id=company_id)
        .values("title", "status", "expected_revenue", "currency", "owner_id", "party_id", "close_date", "stage__name")
        .first()
    )
    if row is None:
        return None
    return {
        **row,
        "expected_revenue": str(round_amount(row["expected_revenue"], row["currency"])),
        "close_date": row["close_date"].isoformat() if row["close_date"] else None,
        "stage": row.pop("stage__name"),
        "party": _party_values(company_id, row["party_id"]),
    }


def _load_invoice(company_id: int, invoice_id: int) -> dict[str, Any] | None:
    invoice = _model("finance.Invoice").objects.filter(pk=invoice_id, company_id=company_id).first()
    if invoice is None:
        return None
    residual = invoice_residual(invoice) if invoice.state == "posted" else invoice.total
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "state": invoice.state,
        "total": str(round_amount(invoice.total, invoice.currency)),
        "residual": str(round_amount(residual, invoice.currency)),
        "currency": invoice.currency,
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "party_id": invoice.party_id,
        "party": _party_values(company_id, invoice.party_id),
    }


def _due_invoices(company_id: int, date_field: str, on_or_before: dt.date) -> list[int]:
    return list(
        _model("finance.Invoice")
        .objects.filter(Q(company_id=company_id, state="posted") & Q(**{f"{date_field}__lte": on_or_before}))
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )


PARTY_FIELDS = {
    "party.name": "customer: name",
    "party.tags": "customer: tags",
    "party.roles": "customer: roles",
    "party.kind": "customer: kind",
}

register(
    RecordType(
        "core.party",
        "Party",
        {"name": "name", "kind": "kind", "tags": "tags", "roles": "roles", "is_active": "active", "created_at": "registered on"},
        _load_party,
        events={"core.party_created": "party_id", "core.party_updated": "party_id"},
        dates={"created_at": "registered on"},
        due=_due_parties,
    )
)
register(
    RecordType(
        "crm.opportunity",
        "Opportunity",
        {
            "title": "title",
            "status": "status",
            "stage": "stage",
            "expected_revenue": "expected revenue",
            "currency": "currency",
            "owner_id": "owner",
            "close_date": "close date",
            **PARTY_FIELDS,
        },
        _load_opportunity,
        events={
            "crm.opportunity_created": "opportunity_id",
            "crm.opportunity_stage_changed": "opportunity_id",
            "crm.opportunity_won": "opportunity_id",
            "crm.opportunity_lost": "opportunity_id",
        },
    )
)
register(
    RecordType(
        "finance.invoice",
        "Invoice",
        {
            "number": "number",
            "kind": "kind",
            "state": "state",
            "total": "total",
            "residual": "amount still due",
            "currency": "currency",
            "invoice_date": "invoice date",
            "due_date": "due date",
            **PARTY_FIELDS,
        },
        _load_invoice,
        events={
            "finance.invoice_posted": "invoice_id",
            "finance.invoice_overdue": "invoice_id",
            "finance.invoice_paid": "invoice_id",
        },
        dates={"due_date": "due date", "invoice_date": "invoice date"},
        due=_due_invoices,
    )
)


def _load_ticket(company_id: int, ticket_id: int) -> dict[str, Any] | None:
    row = (
        _model("support.Ticket")
        .objects.filter(pk=ticket_id, company_id=company_id)
        .values("number", "subject", "status", "priority", "channel", "party_id", "assignee_id")
        .first()
    )
    if row is None:
        return None
    return {**row, "owner_id": row["assignee_id"], "party": _party_values(company_id, row["party_id"])}


register(
    RecordType(
        "support.ticket",
        "Ticket",
        {
            "number": "number",
            "subject": "subject",
            "status": "status",
            "priority": "priority",
            "channel": "channel",
            "owner_id": "agent",
            **PARTY_FIELDS,
        },
        _load_ticket,
        events={
            "support.ticket_created": "ticket_id",
            "support.ticket_assigned": "ticket_id",
            "support.customer_replied": "ticket_id",
            "support.ticket_solved": "ticket_id",
            "support.ticket_reopened": "ticket_id",
        },
    )
)
