"""Purchasing permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        "purchasing.view": ("operations", "finance", "management", "admin"),
        "purchasing.manage": ("operations", "management", "admin"),
        # The approval threshold decides what needs a manager's approval: not for the buyers themselves.
        "purchasing.settings": ("management", "admin"),
    }
)
