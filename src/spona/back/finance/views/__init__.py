"""The finance screens: invoices and bills, payments, journal entries, the chart, the trial balance, settings."""
