from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Automation: event-triggered rules, approvals, outgoing webhooks."""

    name = "spona.bridge.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from spona.bridge.automation import events, permissions  # noqa: F401  (each registers itself)
        from spona.web import navigation
        from spona.web.navigation import MenuEntry

        navigation.register(
            MenuEntry(
                "bridge", _("Approvals"), "automation:approval_inbox", "automation.approve", icon="check2-square", order=60
            ),
            MenuEntry("admin", _("Approval policies"), "automation:policy_list", "automation.manage", icon="diagram-3", order=60),
        )
