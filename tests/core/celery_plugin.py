"""Tasks for the Celery test: the worker process imports this module by path when it runs them.

Each task leaves an audit row on the company, the visible effect the test waits for.
"""

from __future__ import annotations

import json

from django.db import OperationalError

from spona.core import audit
from spona.core.models import AuditEntry, Company
from spona.tasks import task


@task()
def mark(company_id: int, label: str) -> None:
    audit.record(actor=None, target=Company.objects.get(pk=company_id), action=label, company_id=company_id)


@task()
def flaky(company_id: int) -> None:
    """Fail with a transient database error on the first try, succeed on the second."""
    company = Company.objects.get(pk=company_id)
    audit.record(actor=None, target=company, action="celery_try", company_id=company_id)
    if AuditEntry.objects.filter(company_id=company_id, action="celery_try").count() < 2:
        raise OperationalError("the database went away (on purpose)")
    audit.record(actor=None, target=company, action="celery_flaky_done", company_id=company_id)


def publish_and_enqueue(company_id: int, actor_id: int) -> None:
    """Register a party (the service publishes core.party_created) and queue both tasks; print what was left pending."""
    from spona.core import services
    from spona.core.models import EventDelivery, User

    party = services.party_create(
        actor=User.objects.get(pk=actor_id),
        company=Company.objects.get(pk=company_id),
        data=services.PartyInput(kind="organisation", name="Celer d.o.o."),
    )
    from decimal import Decimal

    from spona.front.crm.services import OpportunityInput, opportunity_create

    opportunity_create(
        actor=User.objects.get(pk=actor_id),
        company=Company.objects.get(pk=company_id),
        data=OpportunityInput(title="Celer fleet", party_id=party.pk, expected_revenue=Decimal(900)),
    )
    mark.enqueue(company_id, "celery_mark")
    flaky.enqueue(company_id)
    # notifications.opportunity_assigned receives every crm.opportunity_created: a delivery that must be made once.
    delivery = EventDelivery.objects.get(event__name="crm.opportunity_created", event__party=party)
    print(json.dumps({"party": party.pk, "delivery": delivery.pk, "status_after_commit": delivery.status}))


def enqueue_one() -> None:
    """Queue one task and print the status of its result."""
    print(json.dumps({"status": mark.enqueue(1, "celery_mark").status}))
