"""Commands of the automation app: the only code that changes approvals, webhooks and rules.

Other apps import this package (``from spona.bridge.automation import services``) to ask for
an approval and to decide one.
"""

from spona.bridge.automation.services.approvals import (
    PolicyStepIn,
    approval_decide,
    approval_request,
    policy_delete,
    policy_save,
    roles_for,
)
from spona.bridge.automation.services.examples import EXAMPLES, examples_install
from spona.bridge.automation.services.rules import (
    RuleIn,
    TestResult,
    fields_for,
    rule_activate,
    rule_delete,
    rule_save,
    rule_test,
    run_for_event,
    run_time_rules,
)
from spona.bridge.automation.services.webhooks import (
    delivery_replay,
    webhook_create,
    webhook_delete,
    webhook_event_names,
    webhook_update,
)

__all__ = [
    "EXAMPLES",
    "PolicyStepIn",
    "RuleIn",
    "TestResult",
    "approval_decide",
    "approval_request",
    "delivery_replay",
    "examples_install",
    "fields_for",
    "policy_delete",
    "policy_save",
    "roles_for",
    "rule_activate",
    "rule_delete",
    "rule_save",
    "rule_test",
    "run_for_event",
    "run_time_rules",
    "webhook_create",
    "webhook_delete",
    "webhook_event_names",
    "webhook_update",
]
