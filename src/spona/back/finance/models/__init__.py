"""Finance models; each module holds one aggregate family."""

from spona.back.finance.models.accounts import Account, AnalyticAccount, FiscalYear, Journal, LedgerSettings
from spona.back.finance.models.bank import BankStatement, BankStatementLine
from spona.back.finance.models.invoices import Invoice, InvoiceLine, PaymentTerm, PaymentTermLine
from spona.back.finance.models.ledger import AccountBalance, JournalEntry, JournalLine
from spona.back.finance.models.payments import Payment, Reconciliation
from spona.back.finance.models.taxes import Tax, TaxGroup

__all__ = [
    "Account",
    "AccountBalance",
    "AnalyticAccount",
    "BankStatement",
    "BankStatementLine",
    "FiscalYear",
    "Invoice",
    "InvoiceLine",
    "Journal",
    "JournalEntry",
    "JournalLine",
    "LedgerSettings",
    "Payment",
    "PaymentTerm",
    "PaymentTermLine",
    "Reconciliation",
    "Tax",
    "TaxGroup",
]
