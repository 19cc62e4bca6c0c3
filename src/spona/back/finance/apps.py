from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    """The ledger: accounts, journals, entries, taxes, invoices, payments, reports."""

    name = "spona.back.finance"
    label = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from datetime import timedelta

        from spona.back.finance import demo, events, permissions, searchables  # noqa: F401  (each registers itself)
        from spona.back.finance.services import invoices_publish_overdue
        from spona.back.finance.views.panel import balance_panel
        from spona.core import schedule
        from spona.core.permissions import register_policy
        from spona.web import navigation, panels
        from spona.web.navigation import MenuEntry
        from spona.web.panels import Panel

        searchables.register_all()
        # Sales sees a customer's open balance and overdue invoices on the 360° page, not the ledger.
        register_policy({"finance.view_customer_balance": ("sales", "finance", "management", "admin")})
        navigation.register(
            MenuEntry("back", _("Invoices"), "finance:invoice_list", "finance.view_ledger", icon="receipt", order=10),
            MenuEntry("back", _("Bills"), "finance:bill_list", "finance.view_ledger", icon="receipt-cutoff", order=11),
            MenuEntry("back", _("Payments"), "finance:payment_list", "finance.view_ledger", icon="cash-coin", order=12),
            MenuEntry("back", _("Journal entries"), "finance:entry_list", "finance.view_ledger", icon="journal-text", order=13),
            MenuEntry("back", _("Chart of accounts"), "finance:account_list", "finance.view_ledger", icon="diagram-3", order=14),
            MenuEntry("back", _("Trial balance"), "finance:trial_balance", "finance.view_ledger", icon="calculator", order=15),
            MenuEntry("back", _("Reports"), "finance:report_index", "finance.view_ledger", icon="graph-up", order=15),
            MenuEntry("back", _("Bank statements"), "finance:statement_list", "finance.view_ledger", icon="bank", order=15),
            MenuEntry("back", _("Fiscal years"), "finance:fiscal_year_list", "finance.view_ledger", icon="calendar3", order=16),
            MenuEntry("back", _("Finance settings"), "finance:settings", "finance.view_ledger", icon="sliders", order=16),
        )
        panels.register(
            Panel(
                "finance.balance",
                "finance/partials/_party_balance.html",
                balance_panel,
                order=20,
                permission="finance.view_customer_balance",
            )
        )
        schedule.every("finance.invoices_overdue", timedelta(hours=24), invoices_publish_overdue)
