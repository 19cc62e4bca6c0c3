"""Events the CRM app publishes; those that name a party go on its 360° timeline under the Sales department."""

from __future__ import annotations

from pydantic import BaseModel

from spona.core.events import EventType, define


class LeadPayload(BaseModel):
    lead_id: int
    name: str
    source: str


class LeadQualifiedPayload(LeadPayload):
    opportunity_id: int
    party_id: int


class OpportunityPayload(BaseModel):
    opportunity_id: int
    title: str
    stage: str
    expected_revenue: str
    currency: str


class StageChangedPayload(OpportunityPayload):
    from_stage: str


class OpportunityLostPayload(OpportunityPayload):
    reason: str


class ActivityPayload(BaseModel):
    activity_id: int
    kind: str
    subject: str
    due_at: str


class EmailSentPayload(BaseModel):
    to: str
    subject: str
    activity_id: int | None = None


LEAD_CREATED = define(EventType("crm.lead_created", "A lead came in.", LeadPayload, "sales", "New lead {name} ({source})"))
LEAD_QUALIFIED = define(
    EventType("crm.lead_qualified", "A lead became an opportunity.", LeadQualifiedPayload, "sales", "Lead {name} qualified")
)
OPPORTUNITY_CREATED = define(
    EventType(
        "crm.opportunity_created",
        "An opportunity was opened.",
        OpportunityPayload,
        "sales",
        "Opportunity {title} opened: {expected_revenue} {currency}",
    )
)
OPPORTUNITY_STAGE_CHANGED = define(
    EventType(
        "crm.opportunity_stage_changed",
        "An opportunity moved to another stage.",
        StageChangedPayload,
        "sales",
        "Opportunity {title} moved from {from_stage} to {stage}",
    )
)
OPPORTUNITY_WON = define(
    EventType(
        "crm.opportunity_won",
        "An opportunity was won.",
        OpportunityPayload,
        "sales",
        "Opportunity {title} won: {expected_revenue} {currency}",
    )
)
OPPORTUNITY_LOST = define(
    EventType(
        "crm.opportunity_lost", "An opportunity was lost.", OpportunityLostPayload, "sales", "Opportunity {title} lost: {reason}"
    )
)
ACTIVITY_CREATED = define(
    EventType("crm.activity_created", "An activity was planned.", ActivityPayload, "sales", "{kind} planned: {subject}")
)
ACTIVITY_DONE = define(
    EventType("crm.activity_done", "An activity was done.", ActivityPayload, "sales", "{kind} done: {subject}")
)
EMAIL_SENT = define(
    EventType("crm.email_sent", "The CRM sent an e-mail.", EmailSentPayload, "sales", "E-mail to {to}: {subject}")
)
