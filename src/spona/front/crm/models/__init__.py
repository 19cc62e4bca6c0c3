"""CRM models; each module holds one aggregate family."""

from spona.front.crm.models.activities import Activity
from spona.front.crm.models.leads import Lead
from spona.front.crm.models.pipeline import Opportunity, Pipeline, Stage
from spona.front.crm.models.targets import SalesTarget
from spona.front.crm.models.teams import AssignmentRule, Team

__all__ = ["Activity", "AssignmentRule", "Lead", "Opportunity", "Pipeline", "SalesTarget", "Stage", "Team"]
