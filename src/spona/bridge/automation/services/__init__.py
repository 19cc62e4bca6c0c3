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

__all__ = [
    "PolicyStepIn",
    "approval_decide",
    "approval_request",
    "policy_delete",
    "policy_save",
    "roles_for",
]
