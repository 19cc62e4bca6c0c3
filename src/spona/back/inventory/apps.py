from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """Products, warehouses and locations, stock moves, reservations, transfers, counts."""

    name = "spona.back.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from spona.back.inventory import events, permissions  # noqa: F401  (both register themselves)
