from django.apps import AppConfig


class ProductionConfig(AppConfig):
    """Production: bills of materials, work centres, production orders and their costing."""

    name = "spona.back.production"
    label = "production"
    verbose_name = "Production"
