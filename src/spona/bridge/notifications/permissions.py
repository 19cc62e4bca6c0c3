"""Notification permissions, added to the kernel's one policy."""

from spona.core.permissions import STAFF, register_policy

register_policy(
    {
        # Everyone on the staff gets notifications and sets their own preferences; each sees only their own.
        "notifications.use": STAFF,
    }
)
