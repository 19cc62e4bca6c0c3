from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    """Production: bills of materials, work centres, production orders and their costing."""

    name = "spona.back.production"
    label = "production"
    verbose_name = "Production"

    def ready(self) -> None:
        from spona.back.production import demo, events, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.web import navigation
        from spona.web.navigation import MenuEntry

        searchables.register_all()
        navigation.register(
            MenuEntry(
                "back", _("Production orders"), "production:order_list", "production.view", icon="gear-wide-connected", order=40
            ),
            MenuEntry("back", _("Bills of materials"), "production:bom_list", "production.view", icon="diagram-3", order=41),
            MenuEntry("back", _("Work centres"), "production:work_centre_list", "production.view", icon="tools", order=42),
        )
