"""Finance models; each module holds one aggregate family."""

from spona.back.finance.models.accounts import Account, AnalyticAccount, FiscalYear, Journal, LedgerSettings
from spona.back.finance.models.ledger import JournalEntry, JournalLine
from spona.back.finance.models.taxes import Tax, TaxGroup

__all__ = [
    "Account",
    "AnalyticAccount",
    "FiscalYear",
    "Journal",
    "JournalEntry",
    "JournalLine",
    "LedgerSettings",
    "Tax",
    "TaxGroup",
]
