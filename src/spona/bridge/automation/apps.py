from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Automation: event-triggered rules, approvals, outgoing webhooks."""

    name = "spona.bridge.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import post_delete, post_save

        from spona.bridge.automation import demo, events, handlers, permissions  # noqa: F401  (each registers itself)
        from spona.bridge.automation.models import Rule, Webhook
        from spona.bridge.automation.services import rules, webhooks
        from spona.core import events as core_events
        from spona.core import schedule
        from spona.web import navigation
        from spona.web.navigation import MenuEntry

        navigation.register(
            MenuEntry(
                "bridge", _("Approvals"), "automation:approval_inbox", "automation.approve", icon="check2-square", order=60
            ),
            MenuEntry("admin", _("Automation rules"), "automation:rule_list", "automation.manage", icon="lightning", order=58),
            MenuEntry("admin", _("Webhooks"), "automation:webhook_list", "automation.manage", icon="broadcast", order=59),
            MenuEntry("admin", _("Approval policies"), "automation:policy_list", "automation.manage", icon="diagram-3", order=60),
        )
        core_events.subscribe("*", "automation.webhooks", handlers.on_any_event_webhooks, interested=webhooks.wants_event)
        core_events.subscribe("*", "automation.rules", handlers.on_any_event_rules, interested=rules.wants_event)
        # The interests above are remembered per transaction; a changed rule or webhook is read again.
        for model, receiver in ((Rule, rules.forget_events), (Webhook, webhooks.forget_events)):
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, dispatch_uid=f"automation.interest.{model.__name__}.{signal is post_save}")
        schedule.every("automation.time_rules", timedelta(hours=1), rules.run_time_rules)
        schedule.every("automation.webhooks_due", timedelta(seconds=30), webhooks.enqueue_due)
