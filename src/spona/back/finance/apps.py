from django.apps import AppConfig


class FinanceConfig(AppConfig):
    """The ledger: accounts, journals, entries, taxes, invoices, payments, reports."""

    name = "spona.back.finance"
    label = "finance"
    verbose_name = "Finance"

    def ready(self) -> None:
        from spona.back.finance import events, permissions  # noqa: F401  (both register themselves)
