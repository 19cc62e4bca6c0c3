"""Automation models; each module holds one aggregate family."""

from spona.bridge.automation.models.approvals import ApprovalPolicy, ApprovalPolicyStep, ApprovalRequest, ApprovalStep
from spona.bridge.automation.models.rules import Rule, RuleRun
from spona.bridge.automation.models.webhooks import Webhook, WebhookDelivery

__all__ = [
    "ApprovalPolicy",
    "ApprovalPolicyStep",
    "ApprovalRequest",
    "ApprovalStep",
    "Rule",
    "RuleRun",
    "Webhook",
    "WebhookDelivery",
]
