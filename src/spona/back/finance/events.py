"""Events the finance app publishes."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class EntryPayload(BaseModel):
    entry_id: int
    number: str
    journal: str
    date: str
    amount: str
    currency: str


class EntryReversedPayload(EntryPayload):
    reversal_id: int
    reversal_number: str


ENTRY_POSTED = define(
    EventType(
        "finance.entry_posted",
        "A journal entry was posted to the ledger.",
        EntryPayload,
        "finance",
        "Entry {number} posted: {amount} {currency}",
    )
)
ENTRY_REVERSED = define(
    EventType(
        "finance.entry_reversed",
        "A posted entry was cancelled by a reversing entry.",
        EntryReversedPayload,
        "finance",
        "Entry {number} reversed by {reversal_number}",
    )
)


class InvoicePayload(BaseModel):
    invoice_id: int
    number: str
    kind: str
    total: str
    currency: str
    due_date: str


class PaymentPayload(BaseModel):
    payment_id: int
    number: str
    amount: str
    currency: str
    invoices: list[str]


INVOICE_POSTED = define(
    EventType(
        "finance.invoice_posted",
        "An invoice or bill was posted.",
        InvoicePayload,
        "finance",
        "Invoice {number}: {total} {currency}, due {due_date}",
    )
)
INVOICE_PAID = define(
    EventType("finance.invoice_paid", "An invoice or bill was paid in full.", InvoicePayload, "finance", "Invoice {number} paid")
)
PAYMENT_RECEIVED = define(
    EventType(
        "finance.payment_received",
        "Money was received from a partner.",
        PaymentPayload,
        "finance",
        "Payment received: {amount} {currency}",
    )
)
PAYMENT_SENT = define(
    EventType(
        "finance.payment_sent", "Money was paid to a partner.", PaymentPayload, "finance", "Payment sent: {amount} {currency}"
    )
)
INVOICE_OVERDUE = define(
    EventType(
        "finance.invoice_overdue",
        "A customer invoice passed its due date unpaid.",
        InvoicePayload,
        "finance",
        "Invoice {number} is overdue (due {due_date})",
    )
)
