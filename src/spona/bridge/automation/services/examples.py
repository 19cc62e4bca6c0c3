"""Built-in example rules, shipped switched off: front office ↔ back office integration to copy.

Only examples whose events exist in this installation are offered.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from spona.bridge.automation.models import Rule
from spona.bridge.automation.services.rules import RuleIn, rule_save
from spona.core.events import EVENT_TYPES
from spona.core.models import Company, User
from spona.core.permissions import require

EXAMPLES: dict[str, dict[str, Any]] = {
    "overdue_invoice_task": {
        "name": "Overdue invoice → call the customer",
        "description": "When a customer invoice falls overdue, sales plans a call with the customer.",
        "trigger": "event",
        "event_name": "finance.invoice_overdue",
        "condition": {
            "all": [
                {"field": "record.kind", "op": "eq", "value": "out_invoice"},
                {"field": "record.residual", "op": "gt", "value": "0"},
            ]
        },
        "actions": [
            {
                "type": "create_task",
                "subject": "Call {record.party.name} about overdue invoice {record.number} ({record.residual} {record.currency})",
                "assignee": "role:sales",
                "due_in_days": 1,
            }
        ],
    },
    "invoice_30_days_overdue": {
        "name": "Invoice 30 days overdue and unpaid → tell finance",
        "description": "Thirty days after the due date, finance hears about every customer invoice still unpaid.",
        "trigger": "time",
        "record_type": "finance.invoice",
        "date_field": "due_date",
        "offset_days": 30,
        "condition": {
            "all": [
                {"field": "record.kind", "op": "eq", "value": "out_invoice"},
                {"field": "record.state", "op": "eq", "value": "posted"},
                {"field": "record.residual", "op": "gt", "value": "0"},
            ]
        },
        "actions": [
            {"type": "add_tag", "tag": "Late payer"},
            {
                "type": "notify",
                "to": "role:finance",
                "message": (
                    "Invoice {record.number} of {record.party.name} is 30 days overdue: {record.residual} {record.currency} open."
                ),
            },
        ],
    },
    "reorder_point_task": {
        "name": "Stock below reorder point → purchasing task",
        "description": "When a product's forecast falls below its reorder point, operations plans a purchase.",
        "trigger": "event",
        "event_name": "purchasing.below_reorder_point",
        "condition": {"all": []},
        "actions": [
            {
                "type": "create_task",
                "subject": "Reorder {event.sku} for {event.warehouse}: forecast {event.forecast} below {event.min_quantity}",
                "assignee": "role:operations",
                "due_in_days": 1,
            }
        ],
    },
    "won_opportunity_onboarding": {
        "name": "Won opportunity → onboarding by support",
        "description": "When sales wins a deal, support plans the customer's onboarding.",
        "trigger": "event",
        "event_name": "crm.opportunity_won",
        "condition": {"all": []},
        "actions": [
            {
                "type": "create_task",
                "subject": "Onboard {record.party.name}: {record.title}",
                "assignee": "role:support",
                "due_in_days": 3,
            }
        ],
    },
    "vip_ticket_priority": {
        "name": "VIP customer ticket → high priority",
        "description": "A ticket from a customer tagged VIP starts with high priority.",
        "trigger": "event",
        "event_name": "support.ticket_created",
        "condition": {
            "all": [
                {"field": "record.party.tags", "op": "contains", "value": "VIP"},
                {"field": "record.priority", "op": "in", "value": ["low", "normal"]},
            ]
        },
        "actions": [{"type": "set_field", "field": "priority", "value": "high"}],
    },
}


def _available(spec: dict[str, Any]) -> bool:
    return spec["trigger"] == "time" or spec["event_name"] in EVENT_TYPES


@transaction.atomic
def examples_install(*, actor: User, company: Company) -> list[Rule]:
    """Add the example rules the company does not have yet, switched off; return those added."""
    require(actor, "automation.manage", company)
    have = set(Rule.objects.filter(company=company).exclude(example_key="").values_list("example_key", flat=True))
    added = []
    for key, spec in EXAMPLES.items():
        if key in have or not _available(spec):
            continue
        rule = rule_save(actor=actor, company=company, data=RuleIn(**spec))
        rule.example_key = key
        rule.save(update_fields=["example_key"])
        added.append(rule)
    return added
