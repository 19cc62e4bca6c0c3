from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The UI shell: base templates, navigation, shared components, static files."""

    name = "spona.web"
    label = "web"

    def ready(self) -> None:
        from spona.web import navigation, palette, panels
        from spona.web.navigation import MenuEntry
        from spona.web.palette import PaletteAction
        from spona.web.panels import Panel
        from spona.web.views import parties

        navigation.register(
            MenuEntry("front", _("Customers & contacts"), "web:party_list", "core.view_party", icon="people", order=10),
            MenuEntry("admin", _("Users"), "web:user_list", "core.manage_users", icon="person-gear", order=10),
            MenuEntry(
                "admin", _("Company settings"), "web:company_settings", "core.manage_company", icon="building-gear", order=20
            ),
            MenuEntry("admin", _("Audit log"), "web:audit_log", "core.view_audit", icon="journal-text", order=30),
            MenuEntry("admin", _("Event outbox"), "web:outbox", "core.manage_events", icon="envelope-exclamation", order=40),
        )
        panels.register(
            Panel("core.related", "web/partials/_panel_related.html", parties.related_panel, order=10),
            Panel("core.timeline", "web/partials/_panel_timeline.html", parties.timeline_panel, order=50),
            Panel("core.audit", "web/partials/_panel_audit.html", parties.audit_panel, order=90, permission="core.view_audit"),
        )
        palette.register(
            PaletteAction(
                _("New party"), "web:party_create", "core.change_party", icon="person-plus", keywords="customer supplier contact"
            ),
            PaletteAction(_("Invite a user"), "web:user_invite", "core.manage_users", icon="person-add", keywords="user"),
        )
