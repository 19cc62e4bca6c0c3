from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The customer portal: what a customer's contact sees of their orders, deliveries, invoices and tickets."""

    name = "spona.front.portal"
    label = "portal"
    verbose_name = "Customer portal"

    def ready(self) -> None:
        from spona.front.portal import demo, events, permissions  # noqa: F401  (each registers itself)
        from spona.front.portal.views.staff import portal_panel
        from spona.web import panels
        from spona.web.panels import Panel

        panels.register(
            Panel("portal.access", "portal/partials/_party_panel.html", portal_panel, order=90, permission="portal.invite")
        )
