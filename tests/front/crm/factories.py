"""Factory helpers of the CRM tests: records made through the services, as a user would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from spona.core.models import Company, Party, User
from spona.front.crm import services
from spona.front.crm.models import Lead, Opportunity, Stage


def lead(company: Company, actor: User | None = None, **fields: object) -> Lead:
    """Capture a lead through the service (``contact_name`` defaults to a name)."""
    fields.setdefault("contact_name", "Mila Ilić")
    return services.lead_create(actor=actor, company=company, data=services.LeadInput(**fields))  # type: ignore[arg-type]


def opportunity(
    company: Company, actor: User, party: Party, revenue: str = "1000.00", close: dt.date | None = None, **fields: object
) -> Opportunity:
    """Open an opportunity through the service in the default pipeline's first stage."""
    data = services.OpportunityInput(
        title=str(fields.pop("title", "Scanners")),
        party_id=party.pk,
        expected_revenue=Decimal(revenue),
        close_date=close,
        **fields,  # type: ignore[arg-type]
    )
    return services.opportunity_create(actor=actor, company=company, data=data)


def stage(company: Company, name: str) -> Stage:
    """A stage of the company's default pipeline by name."""
    return Stage.objects.get(pipeline=services.pipeline_default(company=company), name=name)
