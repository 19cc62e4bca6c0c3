"""Automation models; each module holds one aggregate family."""

from spona.bridge.automation.models.approvals import ApprovalPolicy, ApprovalPolicyStep, ApprovalRequest, ApprovalStep

__all__ = ["ApprovalPolicy", "ApprovalPolicyStep", "ApprovalRequest", "ApprovalStep"]
