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
