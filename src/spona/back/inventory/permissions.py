"""Inventory permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        "inventory.view": ("operations", "sales", "finance", "management", "admin"),
        "inventory.manage": ("operations", "admin"),
    }
)
