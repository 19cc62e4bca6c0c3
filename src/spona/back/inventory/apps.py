from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    """Products, warehouses and locations, stock moves, reservations, transfers, counts."""

    name = "spona.back.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from spona.back.inventory import demo, events, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.web import navigation
        from spona.web.navigation import MenuEntry

        searchables.register_all()
        navigation.register(
            MenuEntry("back", _("Products"), "inventory:product_list", "inventory.view", icon="box-seam", order=30),
            MenuEntry("back", _("Product categories"), "inventory:category_list", "inventory.view", icon="diagram-3", order=30),
            MenuEntry("back", _("Stock"), "inventory:stock_list", "inventory.view", icon="boxes", order=31),
            MenuEntry("back", _("Transfers"), "inventory:transfer_list", "inventory.view", icon="truck", order=32),
            MenuEntry("back", _("Moves"), "inventory:move_list", "inventory.view", icon="arrow-left-right", order=33),
            MenuEntry(
                "back", _("Warehouses & locations"), "inventory:warehouse_list", "inventory.view", icon="buildings", order=34
            ),
            MenuEntry("back", _("Counts"), "inventory:count_list", "inventory.view", icon="clipboard-check", order=35),
            MenuEntry("back", _("Stock valuation"), "inventory:valuation_report", "inventory.view", icon="cash-stack", order=36),
            MenuEntry("back", _("Inventory reports"), "inventory:forecast_report", "inventory.view", icon="graph-down", order=37),
        )
