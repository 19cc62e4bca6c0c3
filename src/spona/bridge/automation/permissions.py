"""Automation permissions, added to the kernel's one policy."""

from spona.core.permissions import STAFF, register_policy

register_policy(
    {
        # Rules, webhooks and approval policies change how the whole company works: admins only.
        "automation.manage": ("admin",),
        # Any employee may ask for an approval, and any may be named by a policy step; the step's
        # role decides who actually approves (services.approvals.approval_decide).
        "automation.request": STAFF,
        "automation.approve": STAFF,
    }
)
