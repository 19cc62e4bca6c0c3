"""Commands of the kernel: the only code that changes companies, users, parties and sequences.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company concerned, validates, writes the audit trail and publishes its events into the outbox.
Callers import this package (``from spona.core import services``); the modules below it group
the services by subject.
"""

from spona.core.services.companies import (
    company_create,
    company_update,
    user_create,
    user_set_active,
    user_set_language,
    user_set_roles,
)
from spona.core.services.numbering import exchange_rate_set, sequence_next
from spona.core.services.outbox import delivery_replay, delivery_replay_all
from spona.core.services.parties import (
    AddressInput,
    PartyInput,
    party_add_role,
    party_create,
    party_link,
    party_merge,
    party_tag_add,
    party_unlink,
    party_update,
)
from spona.core.services.tokens import token_create, token_record_use, token_revoke
from spona.core.services.twofactor import (
    CodeInvalid,
    login_code_verify,
    recovery_codes_renew,
    totp_disable,
    totp_enable,
    totp_setup_start,
)

__all__ = [
    "AddressInput",
    "CodeInvalid",
    "PartyInput",
    "company_create",
    "company_update",
    "delivery_replay",
    "delivery_replay_all",
    "exchange_rate_set",
    "login_code_verify",
    "party_add_role",
    "party_create",
    "party_link",
    "party_merge",
    "party_tag_add",
    "party_unlink",
    "party_update",
    "recovery_codes_renew",
    "sequence_next",
    "token_create",
    "token_record_use",
    "token_revoke",
    "totp_disable",
    "totp_enable",
    "totp_setup_start",
    "user_create",
    "user_set_active",
    "user_set_language",
    "user_set_roles",
]
