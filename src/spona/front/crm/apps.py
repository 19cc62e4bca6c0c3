from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """Leads, pipelines, opportunities, activities, sales teams and lead scoring."""

    name = "spona.front.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        from datetime import timedelta

        from spona.core import schedule
        from spona.front.crm import demo, events, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.front.crm.services import activity_reminders_send, leads_fetch
        from spona.front.crm.views.panel import crm_panel
        from spona.web import navigation, panels
        from spona.web.navigation import MenuEntry
        from spona.web.panels import Panel

        navigation.register(
            MenuEntry("front", _("Leads"), "crm:lead_list", "crm.view_leads", icon="funnel", order=10),
            MenuEntry("front", _("Pipeline"), "crm:board", "crm.view", icon="kanban", order=11),
            MenuEntry("front", _("Opportunities"), "crm:opportunity_list", "crm.view", icon="briefcase", order=12),
            MenuEntry("front", _("My day"), "crm:my_day", "crm.view", icon="calendar-check", order=13),
            MenuEntry("front", _("Teams & rules"), "crm:team_list", "crm.manage_teams", icon="people", order=14),
            MenuEntry("front", _("Sales dashboard"), "crm:dashboard", "crm.view", icon="bar-chart-line", order=15),
        )
        panels.register(Panel("crm.pipeline", "crm/partials/_party_panel.html", crm_panel, order=15, permission="crm.view"))
        searchables.register_all()
        schedule.every("crm.activity_reminders", timedelta(minutes=5), activity_reminders_send)
        schedule.every("crm.leads_fetch", timedelta(minutes=5), leads_fetch)
