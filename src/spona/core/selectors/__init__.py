"""Queries of the kernel, always scoped to the user's company and permissions.

Callers import this package (``from spona.core import selectors``); the modules below it
group the queries by subject.
"""

from spona.core.selectors.parties import (
    Page,
    audit_for,
    company_list,
    decode_cursor,
    encode_cursor,
    party_duplicates,
    party_get,
    party_list,
    party_queryset,
    party_relationships,
    party_timeline,
    user_list,
)

__all__ = [
    "Page",
    "audit_for",
    "company_list",
    "decode_cursor",
    "encode_cursor",
    "party_duplicates",
    "party_get",
    "party_list",
    "party_queryset",
    "party_relationships",
    "party_timeline",
    "user_list",
]
