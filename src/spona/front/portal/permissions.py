"""Portal permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        # The portal's own pages: only a customer's contact, and only for their organisation.
        "portal.use": ("portal",),
        # Giving a customer's contact a login is part of looking after the customer.
        "portal.invite": ("sales", "support", "management", "admin"),
    }
)
