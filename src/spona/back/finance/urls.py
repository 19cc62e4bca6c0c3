"""Addresses of the finance screens, under /finance/."""

from django.urls import path

from spona.back.finance.views import bank, invoices, ledger, reports

app_name = "finance"

SALE = {"side": "sale"}
PURCHASE = {"side": "purchase"}

urlpatterns = [
    # Customer invoices and credit notes
    path("invoices/", invoices.invoice_list, SALE, name="invoice_list"),
    path("invoices/export.csv", invoices.invoice_export, SALE, name="invoice_export"),
    path("invoices/new/", invoices.invoice_create, SALE, name="invoice_create"),
    path("invoices/line/", invoices.invoice_line, SALE, name="invoice_line"),
    path("invoices/totals/", invoices.invoice_totals, SALE, name="invoice_totals"),
    # Vendor bills and refunds
    path("bills/", invoices.invoice_list, PURCHASE, name="bill_list"),
    path("bills/export.csv", invoices.invoice_export, PURCHASE, name="bill_export"),
    path("bills/new/", invoices.invoice_create, PURCHASE, name="bill_create"),
    path("bills/line/", invoices.invoice_line, PURCHASE, name="bill_line"),
    path("bills/totals/", invoices.invoice_totals, PURCHASE, name="bill_totals"),
    # One document of either side
    path("documents/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("documents/<int:pk>/edit/", invoices.invoice_edit, name="invoice_edit"),
    path("documents/<int:pk>/post/", invoices.invoice_post, name="invoice_post"),
    path("documents/<int:pk>/credit/", invoices.invoice_credit, name="invoice_credit"),
    path("documents/<int:pk>/pay/", invoices.invoice_pay, name="invoice_pay"),
    path("documents/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    # Payments
    path("payments/", ledger.payment_list, name="payment_list"),
    # Journal entries
    path("entries/", ledger.entry_list, name="entry_list"),
    path("entries/new/", ledger.entry_create, name="entry_create"),
    path("entries/line/", ledger.entry_line, name="entry_line"),
    path("entries/balance/", ledger.entry_balance, name="entry_balance"),
    path("entries/<int:pk>/", ledger.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/post/", ledger.entry_post, name="entry_post"),
    path("entries/<int:pk>/reverse/", ledger.entry_reverse, name="entry_reverse"),
    path("entries/<int:pk>/delete/", ledger.entry_delete, name="entry_delete"),
    # Chart, trial balance, settings
    path("accounts/", ledger.account_list, name="account_list"),
    path("accounts/new/", bank.account_create, name="account_create"),
    path("accounts/<int:pk>/edit/", bank.account_edit, name="account_edit"),
    path("accounts/<int:pk>/lines/", ledger.account_ledger, name="account_ledger"),
    path("trial-balance/", ledger.trial_balance, name="trial_balance"),
    path("settings/", ledger.ledger_settings, name="settings"),
    path("settings/setup/", ledger.ledger_setup, name="ledger_setup"),
    # Reports (each exports with ?export=csv|xlsx|pdf)
    path("reports/", reports.report_index, name="report_index"),
    path("reports/profit-and-loss/", reports.report_profit_and_loss, name="report_profit_and_loss"),
    path("reports/balance-sheet/", reports.report_balance_sheet, name="report_balance_sheet"),
    path("reports/aged/", reports.report_aged, name="report_aged"),
    path("reports/general-ledger/", reports.report_general_ledger, name="report_general_ledger"),
    path("reports/partner-ledger/", reports.report_partner_ledger, name="report_partner_ledger"),
    path("reports/tax/", reports.report_tax, name="report_tax"),
    path("reports/cash-flow/", reports.report_cash_flow, name="report_cash_flow"),
    path("reports/journal-audit/", reports.report_journal_audit, name="report_journal_audit"),
    path("reports/analytic/", reports.report_analytic, name="report_analytic"),
    path("reports/analytic/lines/", reports.report_analytic_lines, name="report_analytic_lines"),
    # Bank statements
    path("bank-statements/", bank.statement_list, name="statement_list"),
    path("bank-statements/import/", bank.statement_import, name="statement_import"),
    path("bank-statements/<int:pk>/", bank.statement_detail, name="statement_detail"),
    path("bank-statements/<int:pk>/auto/", bank.statement_auto, name="statement_auto"),
    path("bank-statement-lines/<int:pk>/reconcile/", bank.bank_line_reconcile, name="bank_line_reconcile"),
    # Fiscal years
    path("fiscal-years/", bank.fiscal_year_list, name="fiscal_year_list"),
    path("fiscal-years/<int:pk>/close/", bank.fiscal_year_close, name="fiscal_year_close"),
]
