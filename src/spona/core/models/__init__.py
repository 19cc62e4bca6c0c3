"""Kernel models; each module holds one aggregate family."""

from spona.core.models.audit import AuditEntry
from spona.core.models.base import CompanyOwned, Stamped
from spona.core.models.company import Company, ExchangeRate, Membership, Role, User
from spona.core.models.events import Event, EventDelivery, TimelineEntry
from spona.core.models.party import Address, ContactPoint, Party, PartyRole, Relationship, Tag
from spona.core.models.schedule import ScheduledRun
from spona.core.models.search import SearchEntry
from spona.core.models.sequence import Sequence
from spona.core.models.tokens import IdempotencyRecord, PersonalAccessToken
from spona.core.models.twofactor import RecoveryCode, TwoFactor
from spona.core.models.workers import WorkerHeartbeat

__all__ = [
    "Address",
    "AuditEntry",
    "Company",
    "CompanyOwned",
    "ContactPoint",
    "Event",
    "EventDelivery",
    "ExchangeRate",
    "IdempotencyRecord",
    "Membership",
    "Party",
    "PartyRole",
    "PersonalAccessToken",
    "RecoveryCode",
    "Relationship",
    "Role",
    "ScheduledRun",
    "SearchEntry",
    "Sequence",
    "Stamped",
    "Tag",
    "TimelineEntry",
    "TwoFactor",
    "User",
    "WorkerHeartbeat",
]
