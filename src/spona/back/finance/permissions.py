"""Finance permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        "finance.view_ledger": ("finance", "management", "admin"),
        "finance.post": ("finance", "admin"),
        "finance.manage_settings": ("finance", "admin"),
        "finance.lock_periods": ("finance", "admin"),
    }
)
