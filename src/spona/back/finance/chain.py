"""The tamper-evident chain of posted entries (QUALITY L3).

Each posted entry's hash is SHA-256 over a canonical JSON of what makes it an accounting fact
(ids, dates and amounts at currency precision; never names, which may be edited or erased)
and the previous entry's hash in the same journal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from spona.core.money import precision

GENESIS = "0" * 64


def _amount(value: Decimal, places: int) -> str:
    return str(value.quantize(Decimal(1).scaleb(-places)))


def canonical(entry: Any, lines: Iterable[Any], places: int) -> bytes:
    """The bytes that are hashed for one entry."""
    document = {
        "company": entry.company_id,
        "journal": entry.journal_id,
        "position": entry.chain_position,
        "number": entry.number,
        "date": entry.date.isoformat(),
        "party": entry.party_id,
        "reversal_of": entry.reversal_of_id,
        "lines": [
            [
                line.account_id,
                line.party_id,
                _amount(line.debit, places),
                _amount(line.credit, places),
                line.currency,
                _amount(line.amount_currency, precision(line.currency) if line.currency else places),
                line.tax_id,
            ]
            for line in sorted(lines, key=lambda item: item.pk)
        ],
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def entry_hash(previous: str, entry: Any, lines: Iterable[Any], places: int) -> str:
    digest = hashlib.sha256()
    digest.update((previous or GENESIS).encode())
    digest.update(canonical(entry, lines, places))
    return digest.hexdigest()
