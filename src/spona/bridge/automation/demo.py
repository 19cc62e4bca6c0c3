"""The demo company's automation: approval policies, a parked webhook and the example rules.

Registered as a demo step after sales and purchasing (order 700), so the approvals they asked
for are routed by these policies' defaults already and wait in the managers' inbox.
"""

from __future__ import annotations

from decimal import Decimal

from spona.bridge.automation import services
from spona.core.demo import DemoContext, register_step


def build_automation(ctx: DemoContext) -> None:
    admin, company = ctx.users["admin"], ctx.company
    policies = [
        services.policy_save(
            actor=admin,
            company=company,
            kind="sales.discount",
            name="Discounts above the limit",
            steps=[services.PolicyStepIn("management"), services.PolicyStepIn("finance", Decimal(5000))],
        ),
        services.policy_save(
            actor=admin,
            company=company,
            kind="purchasing.order",
            name="Purchase orders above the limit",
            steps=[services.PolicyStepIn("management"), services.PolicyStepIn("finance", Decimal(10000))],
        ),
    ]
    # Parked: it points at a reserved name that never resolves, switched off, to show the screen.
    webhook = services.webhook_create(
        actor=admin,
        company=company,
        name="Data warehouse (example)",
        url="https://warehouse.example.invalid/spona/events",
        event_types=sorted(
            {"finance.invoice_posted", "finance.payment_received", "crm.opportunity_won"} & set(services.webhook_event_names())
        ),
        is_active=False,
    )
    rules = services.examples_install(actor=admin, company=company)
    ctx.records["automation.policies"] = [p.pk for p in policies]
    ctx.records["automation.webhooks"] = [webhook.pk]
    ctx.records["automation.rules"] = [r.pk for r in rules]


register_step("automation", build_automation, order=700)
