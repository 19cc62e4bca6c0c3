"""CRM permissions, added to the kernel's one policy."""

from spona.core.permissions import register_policy

register_policy(
    {
        # Marketing hands leads over to sales, so it may read them, not the pipeline.
        "crm.view_leads": ("sales", "marketing", "management", "admin"),
        "crm.view": ("sales", "management", "admin"),
        "crm.manage": ("sales", "management", "admin"),
        "crm.manage_teams": ("management", "admin"),
    }
)
