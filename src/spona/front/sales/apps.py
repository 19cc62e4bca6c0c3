from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Sales: price lists, quotations, sales orders, returns."""

    name = "spona.front.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        import spona.back.inventory.events
        import spona.bridge.automation.events  # noqa: F401
        from spona.core import events
        from spona.front.sales import demo, handlers, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.front.sales import events as sales_events  # noqa: F401
        from spona.front.sales.views.panel import sales_panel
        from spona.web import navigation, panels
        from spona.web.navigation import MenuEntry
        from spona.web.panels import Panel

        searchables.register_all()
        events.subscribe("inventory.delivered", "sales.on_delivered", handlers.on_delivered)
        events.subscribe("automation.approval_decided", "sales.on_approval_decided", handlers.on_approval_decided)
        navigation.register(
            MenuEntry("front", _("Quotations"), "sales:quotation_list", "sales.view", icon="file-earmark-text", order=20),
            MenuEntry("front", _("Sales orders"), "sales:order_list", "sales.view", icon="cart", order=21),
            MenuEntry("front", _("Price lists"), "sales:pricelist_list", "sales.view", icon="tags", order=22),
            MenuEntry("front", _("Customer terms"), "sales:terms_list", "sales.view", icon="person-vcard", order=23),
            MenuEntry("admin", _("Sales settings"), "sales:settings", "sales.approve", icon="sliders", order=57),
        )
        panels.register(Panel("sales.orders", "sales/partials/_party_panel.html", sales_panel, order=16, permission="sales.view"))
