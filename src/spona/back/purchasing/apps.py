from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    """Purchasing: reorder rules, replenishment, requests for quotation, purchase orders, three-way match."""

    name = "spona.back.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"
