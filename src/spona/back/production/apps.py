from django.apps import AppConfig


class ProductionConfig(AppConfig):
    """Production: bills of materials, work centres, production orders and their costing."""

    name = "spona.back.production"
    label = "production"
    verbose_name = "Production"

    def ready(self) -> None:
        from spona.back.production import demo, events, permissions  # noqa: F401  (each registers itself)
