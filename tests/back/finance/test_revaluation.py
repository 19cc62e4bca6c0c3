"""Period-end revaluation of foreign-currency items (QUALITY L8): property test over 500 random rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.back.finance import selectors, services
from spona.back.finance.models import Invoice, JournalEntry, Tax
from spona.back.finance.services import InvoiceLineIn
from spona.core.services import exchange_rate_set
from tests.factories import party

DAY = dt.date(2026, 5, 4)
MONTH_END = dt.date(2026, 5, 31)


class Undo(Exception):
    pass


@pytest.fixture
def usd_items(ledger, accounts):
    """A USD 1,200.00 customer invoice and a USD 600.00 vendor bill, both booked at 0.9000."""
    exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=DAY, rate=D("0.9"))
    customer, supplier = party(ledger, "US Customer"), party(ledger, "US Supplier")
    sale_tax, purchase_tax = Tax.objects.get(company=ledger, use="sales"), Tax.objects.get(company=ledger, use="purchase")
    for kind, who, account, amount, tax in (
        ("out_invoice", customer, "4100", "1000.00", sale_tax),
        ("in_invoice", supplier, "6300", "500.00", purchase_tax),
    ):
        draft = services.invoice_create(
            actor=None,
            company=ledger,
            kind=kind,
            party_id=who.pk,
            invoice_date=DAY,
            currency="USD",
            lines=[InvoiceLineIn(description="Item", account_id=accounts[account].pk, unit_price=D(amount), tax_ids=[tax.pk])],
        )
        services.invoice_post(actor=None, company=ledger, invoice_id=draft.pk)
    return customer, supplier


def balances(ledger, accounts, customer, supplier, on):
    return (
        selectors.account_balance(company=ledger, account_id=accounts["1100"].pk, party_id=customer.pk, date_to=on),
        selectors.account_balance(company=ledger, account_id=accounts["2000"].pk, party_id=supplier.pk, date_to=on),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rate=st.decimals(min_value=D("0.0500"), max_value=D("20.0000"), places=4))
def test_revaluation_restates_open_items_at_the_rate_and_reverses_the_next_day(ledger, accounts, usd_items, rate):
    customer, supplier = usd_items
    assert balances(ledger, accounts, customer, supplier, MONTH_END) == (D("1080.00"), D("-540.00"))
    with pytest.raises(Undo), transaction.atomic():
        # given a month-end rate; when the month is revalued
        exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=MONTH_END, rate=rate)
        entry = services.fx_revaluation(actor=None, company=ledger, on=MONTH_END)
        # then at month end the items stand at their currency amount times that rate
        expected = ((D(1200) * rate).quantize(D("0.01")), -(D(600) * rate).quantize(D("0.01")))
        assert balances(ledger, accounts, customer, supplier, MONTH_END) == expected
        # and the next day they are back at their booked value, with the whole ledger balanced
        assert balances(ledger, accounts, customer, supplier, MONTH_END + dt.timedelta(days=1)) == (D("1080.00"), D("-540.00"))
        assert sum(r.balance for r in selectors.trial_balance(user=None, company=ledger)) == D(0)
        if entry is not None:
            assert JournalEntry.objects.get(reversal_of=entry).date == MONTH_END + dt.timedelta(days=1)
        raise Undo


def test_nothing_to_revalue_gives_no_entry(ledger):
    assert services.fx_revaluation(actor=None, company=ledger, on=MONTH_END) is None


def test_a_paid_item_is_not_revalued(ledger, accounts, journals, usd_items):
    customer, _supplier = usd_items
    sale = Invoice.objects.get(company=ledger, kind="out_invoice")
    exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=DAY + dt.timedelta(days=10), rate=D("0.95"))
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=customer.pk,
        amount=D("1200.00"),
        currency="USD",
        journal_id=journals["BNK"].pk,
        date=DAY + dt.timedelta(days=10),
        invoice_ids=[sale.pk],
    )
    exchange_rate_set(actor=None, company=ledger, currency="USD", rate_date=MONTH_END, rate=D("1.10"))
    entry = services.fx_revaluation(actor=None, company=ledger, on=MONTH_END)
    touched = {line.party_id for line in entry.lines.all() if line.party_id}
    assert customer.pk not in touched
