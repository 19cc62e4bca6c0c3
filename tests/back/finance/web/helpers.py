"""Documents for the finance interface tests, made through the services as a user would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from spona.back.finance import services
from spona.back.finance.services import InvoiceLineIn

DAY = dt.date(2026, 4, 1)


def make_invoice(company, customer, accounts, vat20, *, post=True, kind="out_invoice", day=DAY, price="100.00"):
    """A customer invoice of two lines (2 × 100.00 + 1 × 50.00, VAT 20 %): total 300.00."""
    invoice = services.invoice_create(
        actor=None,
        company=company,
        kind=kind,
        party_id=customer.pk,
        invoice_date=day,
        lines=[
            InvoiceLineIn(
                description="Consulting", account_id=accounts["4100"].pk, quantity=D(2), unit_price=D(price), tax_ids=[vat20.pk]
            ),
            InvoiceLineIn(description="Books", account_id=accounts["4000"].pk, unit_price=D("50.00"), tax_ids=[vat20.pk]),
        ],
    )
    if post:
        invoice = services.invoice_post(actor=None, company=company, invoice_id=invoice.pk)
    return invoice


def pay(company, invoice, journals, amount, day=DAY):
    return services.payment_register(
        actor=None,
        company=company,
        direction="inbound",
        party_id=invoice.party_id,
        amount=D(amount),
        journal_id=journals["BNK"].pk,
        date=day,
        invoice_ids=[invoice.pk],
    )
