from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications: the in-app inbox and bell, e-mail (at once or in a daily digest), preferences per kind."""

    name = "spona.bridge.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from datetime import timedelta

        from spona.bridge.notifications import demo, handlers, mail, permissions  # noqa: F401  (each registers itself)
        from spona.core import events, schedule

        # The apps whose events this subscribes to are loaded first (INSTALLED_APPS order).
        events.subscribe("support.ticket_assigned", "notifications.ticket_assigned", handlers.on_ticket_assigned)
        events.subscribe("crm.opportunity_created", "notifications.opportunity_assigned", handlers.on_opportunity_created)
        events.subscribe("finance.invoice_overdue", "notifications.invoice_overdue", handlers.on_invoice_overdue)
        events.subscribe("purchasing.below_reorder_point", "notifications.stock_low", handlers.on_below_reorder_point)
        schedule.every("notifications.digest", timedelta(hours=24), mail.queue_digest)
        # Immediate mails are queued after each commit; this catches any a stopped worker left behind.
        schedule.every("notifications.immediate", timedelta(minutes=5), mail.queue_immediate)
