from django.apps import AppConfig


class SalesConfig(AppConfig):
    """Sales: price lists, quotations, sales orders, returns, targets."""

    name = "spona.front.sales"
    label = "sales"
    verbose_name = "Sales"
