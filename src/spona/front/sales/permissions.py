"""Sales permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        # Finance sees orders and quotations (what will be invoiced) but does not sell.
        "sales.view": ("sales", "finance", "management", "admin"),
        "sales.manage": ("sales", "management", "admin"),
        # Sales rules (discount limit, credit policy) are management's call.
        "sales.approve": ("management", "admin"),
    }
)
