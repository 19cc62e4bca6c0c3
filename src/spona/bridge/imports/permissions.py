"""Imports permissions, added to the kernel's one policy.

``imports.use`` opens the screens; each kind of data also needs the permission of the app that
owns it (parties: core.change_party, products: inventory.manage …), checked by the importer.
"""

from spona.core.permissions import register_policy

register_policy(
    {
        "imports.use": ("sales", "support", "marketing", "finance", "hr", "legal", "operations", "management", "admin"),
    }
)
