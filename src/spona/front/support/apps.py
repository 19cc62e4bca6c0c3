from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """Customer support: tickets from every channel, queues, SLA, macros, knowledge base, CSAT."""

    name = "spona.front.support"
    label = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from datetime import timedelta

        from spona.core import schedule
        from spona.front.support import demo, events, jobs, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.front.support.views.panel import support_panel
        from spona.web import navigation, panels
        from spona.web.navigation import MenuEntry
        from spona.web.panels import Panel

        searchables.register_all()
        schedule.every("support.sla_check", timedelta(minutes=1), jobs.sla_check)
        schedule.every("support.send_pending_replies", timedelta(minutes=5), jobs.send_pending_replies)
        schedule.every("support.chat_end_idle", timedelta(minutes=5), jobs.chat_end_idle)
        schedule.every("support.imap_poll", timedelta(minutes=1), jobs.imap_poll)
        navigation.register(
            MenuEntry("front", _("Tickets"), "support:ticket_list", "support.view", icon="life-preserver", order=40),
            MenuEntry("front", _("Live chats"), "support:chat_list", "support.manage", icon="chat-dots", order=41),
            MenuEntry("front", _("Knowledge base"), "support:article_list", "support.view", icon="book", order=41),
            MenuEntry("front", _("Support reports"), "support:reports", "support.view", icon="graph-up", order=42),
            MenuEntry(
                "front", _("Return requests"), "support:return_request_list", "sales.manage", icon="arrow-return-left", order=43
            ),
        )
        panels.register(
            Panel("support.tickets", "support/partials/_party_panel.html", support_panel, order=25, permission="support.view")
        )
