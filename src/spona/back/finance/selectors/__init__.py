"""Reads of the finance app, scoped to company and permission; import them from here."""

from spona.back.finance.selectors.ledger import (
    ChainBreak,
    TrialBalanceRow,
    account_balance,
    account_totals,
    balance_check,
    entry_list,
    invoice_payment_state,
    invoice_residual,
    ledger_verify,
    line_open_amounts,
    trial_balance,
)
from spona.back.finance.selectors.reports import (
    AgedReport,
    Ledger,
    Statement,
    aged_balances,
    balance_sheet,
    general_ledger,
    partner_ledger,
    profit_and_loss,
    tax_report,
)

__all__ = [
    "AgedReport",
    "ChainBreak",
    "Ledger",
    "Statement",
    "TrialBalanceRow",
    "account_balance",
    "account_totals",
    "aged_balances",
    "balance_check",
    "balance_sheet",
    "entry_list",
    "general_ledger",
    "invoice_payment_state",
    "invoice_residual",
    "ledger_verify",
    "line_open_amounts",
    "partner_ledger",
    "profit_and_loss",
    "tax_report",
    "trial_balance",
]
