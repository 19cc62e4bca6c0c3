from django.apps import AppConfig


class AutomationConfig(AppConfig):
    """Automation: event-triggered rules, approvals, outgoing webhooks."""

    name = "spona.bridge.automation"
    label = "automation"
    verbose_name = "Automation"
