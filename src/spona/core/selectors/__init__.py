"""Queries of the kernel, always scoped to the user's company and permissions.

Callers import this package (``from spona.core import selectors``); the modules below it
group the queries by subject.
"""

from spona.core.selectors.money import exchange_rate_on
from spona.core.selectors.outbox import dead_letter_list, delivery_check, event_list, outbox_stats
from spona.core.selectors.overview import (
    audit_filter_options,
    audit_list,
    party_counts,
    party_merge_preview,
    party_recent,
    tag_list,
    timeline_recent,
)
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
    party_timeline_hidden,
    readable_apps,
    timeline_apps,
    user_list,
)
from spona.core.selectors.tokens import token_by_plaintext, token_list
from spona.core.selectors.twofactor import Setup, recovery_codes_left, totp_pending_setup, two_factor_enabled

__all__ = [
    "Page",
    "Setup",
    "audit_filter_options",
    "audit_for",
    "audit_list",
    "company_list",
    "dead_letter_list",
    "decode_cursor",
    "delivery_check",
    "encode_cursor",
    "event_list",
    "exchange_rate_on",
    "outbox_stats",
    "party_counts",
    "party_duplicates",
    "party_get",
    "party_list",
    "party_merge_preview",
    "party_queryset",
    "party_recent",
    "party_relationships",
    "party_timeline",
    "party_timeline_hidden",
    "readable_apps",
    "recovery_codes_left",
    "tag_list",
    "timeline_apps",
    "timeline_recent",
    "token_by_plaintext",
    "token_list",
    "totp_pending_setup",
    "two_factor_enabled",
    "user_list",
]
