"""Commands of the CRM: the only code that changes leads, opportunities, activities and teams.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company, validates, writes the audit trail and publishes its events into the outbox. Other
apps import this package (``from spona.front.crm import services``).
"""

from spona.front.crm.services.activities import activity_create, activity_done, activity_set_reminder
from spona.front.crm.services.assignment import assign_owner, rule_create, rule_delete, team_create, team_update
from spona.front.crm.services.leads import (
    LeadInput,
    lead_create,
    lead_qualify,
    lead_rescore,
    lead_set_status,
    lead_update,
    score_of,
)
from spona.front.crm.services.mail import MailLead, lead_from_email, leads_fetch, leads_fetch_company
from spona.front.crm.services.opportunities import (
    OpportunityInput,
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_update,
    opportunity_win,
    pipeline_default,
)
from spona.front.crm.services.reminders import activity_reminders_send, crm_mail_send
from spona.front.crm.services.targets import target_delete, target_set

__all__ = [
    "LeadInput",
    "MailLead",
    "OpportunityInput",
    "activity_create",
    "activity_done",
    "activity_reminders_send",
    "activity_set_reminder",
    "assign_owner",
    "crm_mail_send",
    "lead_create",
    "lead_from_email",
    "lead_qualify",
    "lead_rescore",
    "lead_set_status",
    "lead_update",
    "leads_fetch",
    "leads_fetch_company",
    "opportunity_create",
    "opportunity_lose",
    "opportunity_move",
    "opportunity_update",
    "opportunity_win",
    "pipeline_default",
    "rule_create",
    "rule_delete",
    "score_of",
    "target_delete",
    "target_set",
    "team_create",
    "team_update",
]
