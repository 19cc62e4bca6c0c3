"""Support permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        "support.view": ("support", "management", "admin"),
        "support.manage": ("support", "management", "admin"),
        # Queues, SLA policies, calendars and macros shape everyone's work: team leads only.
        "support.configure": ("management", "admin"),
    }
)
