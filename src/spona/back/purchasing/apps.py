from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    """Purchasing: reorder rules, replenishment, requests for quotation, purchase orders, three-way match."""

    name = "spona.back.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"

    def ready(self) -> None:
        import spona.back.finance.events as finance_events  # noqa: F401  (the events subscribed to below must exist)
        import spona.back.inventory.events as inventory_events  # noqa: F401
        import spona.bridge.automation.events as automation_events  # noqa: F401
        from spona.back.purchasing import demo, events, handlers, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.back.purchasing.services import reorder_check
        from spona.back.purchasing.views.panel import supplier_panel
        from spona.core import events as core_events
        from spona.core import schedule
        from spona.web import navigation, panels
        from spona.web.navigation import MenuEntry
        from spona.web.panels import Panel

        searchables.register_all()
        core_events.subscribe("inventory.received", "purchasing.on_inventory_received", handlers.on_inventory_received)
        core_events.subscribe("automation.approval_decided", "purchasing.on_approval_decided", handlers.on_approval_decided)
        core_events.subscribe(
            "finance.invoice_posted",
            "purchasing.on_invoice_posted",
            handlers.on_invoice_posted,
            when=lambda payload: payload.get("kind") == "in_invoice",  # vendor bills only, as the handler checks
        )
        schedule.every("purchasing.reorder_check", timedelta(hours=24), reorder_check)
        navigation.register(
            MenuEntry("back", _("Purchase orders"), "purchasing:order_list", "purchasing.view", icon="cart", order=36),
            MenuEntry("back", _("Replenishment"), "purchasing:replenishment", "purchasing.view", icon="arrow-repeat", order=37),
            MenuEntry("back", _("Reorder rules"), "purchasing:rule_list", "purchasing.view", icon="sliders2", order=38),
            MenuEntry(
                "back", _("Supplier performance"), "purchasing:performance", "purchasing.view", icon="speedometer2", order=39
            ),
        )
        panels.register(
            Panel(
                "purchasing.orders",
                "purchasing/partials/_party_panel.html",
                supplier_panel,
                order=40,
                permission="purchasing.view",
            )
        )
