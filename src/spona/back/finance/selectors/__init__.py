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

__all__ = [
    "ChainBreak",
    "TrialBalanceRow",
    "account_balance",
    "account_totals",
    "balance_check",
    "entry_list",
    "invoice_payment_state",
    "invoice_residual",
    "ledger_verify",
    "line_open_amounts",
    "trial_balance",
]
