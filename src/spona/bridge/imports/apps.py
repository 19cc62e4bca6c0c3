from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Imports and exports: parties, products, leads, opening balances and price lists from CSV or XLSX."""

    name = "spona.bridge.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from spona.bridge.imports import demo, importers, permissions  # noqa: F401  (each registers itself)
        from spona.web import navigation
        from spona.web.navigation import MenuEntry

        navigation.register(
            MenuEntry("bridge", _("Imports and exports"), "imports:job_list", "imports.use", icon="upload", order=70),
        )
