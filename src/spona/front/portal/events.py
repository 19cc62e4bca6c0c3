"""Events the portal publishes; both name the customer organisation, so they go on its timeline."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class InvitationPayload(BaseModel):
    email: str
    full_name: str


USER_INVITED = define(
    EventType(
        "portal.user_invited",
        "A customer's contact was invited to the customer portal.",
        InvitationPayload,
        "portal",
        "{full_name} ({email}) invited to the customer portal",
    )
)
INVITATION_ACCEPTED = define(
    EventType(
        "portal.invitation_accepted",
        "A customer's contact accepted the portal invitation and chose a password.",
        InvitationPayload,
        "portal",
        "{full_name} ({email}) joined the customer portal",
    )
)
