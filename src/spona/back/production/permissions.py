"""Production permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        "production.view": ("operations", "management", "admin"),
        "production.manage": ("operations", "management", "admin"),
    }
)
