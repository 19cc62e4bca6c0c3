"""Commands of the finance app; other apps call these and never write finance tables.

The modules below group the services by subject; import them from here.
"""

from spona.back.finance.services.accounts import account_create, account_update
from spona.back.finance.services.bank import (
    Suggestion,
    line_reconcile,
    line_suggestions,
    statement_auto_reconcile,
    statement_import,
    unmatched_bank_entries,
)
from spona.back.finance.services.closing import fiscal_year_close, fiscal_year_of
from spona.back.finance.services.entries import (
    LineIn,
    entry_create,
    entry_delete_draft,
    entry_post,
    entry_reverse,
    lock_dates_set,
)
from spona.back.finance.services.invoices import (
    InvoiceLineIn,
    invoice_create,
    invoice_credit,
    invoice_post,
    invoice_update,
    invoices_publish_overdue,
)
from spona.back.finance.services.journals import journal_ensure
from spona.back.finance.services.payments import payment_register, reconcile, reconcile_party
from spona.back.finance.services.revaluation import fx_revaluation
from spona.back.finance.services.setup import chart_load_csv, ledger_setup

__all__ = [
    "InvoiceLineIn",
    "LineIn",
    "Suggestion",
    "account_create",
    "account_update",
    "chart_load_csv",
    "entry_create",
    "entry_delete_draft",
    "entry_post",
    "entry_reverse",
    "fiscal_year_close",
    "fiscal_year_of",
    "fx_revaluation",
    "invoice_create",
    "invoice_credit",
    "invoice_post",
    "invoice_update",
    "invoices_publish_overdue",
    "journal_ensure",
    "ledger_setup",
    "line_reconcile",
    "line_suggestions",
    "lock_dates_set",
    "payment_register",
    "reconcile",
    "reconcile_party",
    "statement_auto_reconcile",
    "statement_import",
    "unmatched_bank_entries",
]
