"""Commands of the CRM: the only code that changes leads, opportunities, activities and teams.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company, validates, writes the audit trail and publishes its events into the outbox. Other
apps import this package (``from spona.front.crm import services``).
"""

from spona.front.crm.services.activities import activity_create, activity_done
from spona.front.crm.services.assignment import assign_owner, rule_create, rule_delete, team_create, team_update
from spona.front.crm.services.imports import ImportReport, ImportRow, lead_import
from spona.front.crm.services.leads import (
    LeadInput,
    lead_create,
    lead_qualify,
    lead_rescore,
    lead_set_status,
    lead_update,
    score_of,
)
from spona.front.crm.services.opportunities import (
    OpportunityInput,
    opportunity_create,
    opportunity_lose,
    opportunity_move,
    opportunity_update,
    opportunity_win,
    pipeline_default,
)

__all__ = [
    "ImportReport",
    "ImportRow",
    "LeadInput",
    "OpportunityInput",
    "activity_create",
    "activity_done",
    "assign_owner",
    "lead_create",
    "lead_import",
    "lead_qualify",
    "lead_rescore",
    "lead_set_status",
    "lead_update",
    "opportunity_create",
    "opportunity_lose",
    "opportunity_move",
    "opportunity_update",
    "opportunity_win",
    "pipeline_default",
    "rule_create",
    "rule_delete",
    "score_of",
    "team_create",
    "team_update",
]
