"""Reports: comparison columns and ageing, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from spona.back.finance import selectors, services
from spona.back.finance.services import InvoiceLineIn, LineIn
from tests.factories import party


def invoice(ledger, accounts, customer, day, amount, term_days=0):
    from spona.back.finance.models import PaymentTerm, PaymentTermLine

    term = None
    if term_days:
        term = PaymentTerm.objects.create(company=ledger, name=f"{term_days} days {day}")
        PaymentTermLine.objects.create(term=term, percent=D(100), days=term_days)
    draft = services.invoice_create(
        actor=None,
        company=ledger,
        kind="out_invoice",
        party_id=customer.pk,
        invoice_date=day,
        payment_term_id=term.pk if term else None,
        lines=[InvoiceLineIn(description="Work", account_id=accounts["4100"].pk, unit_price=amount)],
    )
    return services.invoice_post(actor=None, company=ledger, invoice_id=draft.pk)


def test_ageing_puts_open_amounts_in_their_columns_and_credits_as_negatives(ledger, accounts, journals):
    on = dt.date(2026, 6, 30)
    a, b = party(ledger, "Alfa"), party(ledger, "Beta")
    # given Alfa: 1,000.00 due 90 days ago, 400.00 of it paid; 200.00 not yet due
    old = invoice(ledger, accounts, a, on - dt.timedelta(days=90), D("1000.00"))
    invoice(ledger, accounts, a, on - dt.timedelta(days=5), D("200.00"), term_days=30)
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=a.pk,
        amount=D("400.00"),
        journal_id=journals["BNK"].pk,
        date=on - dt.timedelta(days=10),
        invoice_ids=[old.pk],
    )
    # and Beta: paid 50.00 more than it owed on an invoice due 20 days ago
    owed = invoice(ledger, accounts, b, on - dt.timedelta(days=20), D("150.00"))
    services.payment_register(
        actor=None,
        company=ledger,
        direction="inbound",
        party_id=b.pk,
        amount=D("200.00"),
        journal_id=journals["BNK"].pk,
        date=on - dt.timedelta(days=2),
        invoice_ids=[owed.pk],
    )
    # when aged at the end of June with columns to 30 / 60 / 90 days
    report = selectors.aged_balances(user=None, company=ledger, on=on)
    rows = {r.party: r.buckets for r in report.rows}
    # then Alfa owes 600.00 in 61–90 and 200.00 not due; Beta's 50.00 credit ages from its payment two days ago
    assert rows["Alfa"] == [D("200.00"), D(0), D(0), D("600.00"), D(0)]
    assert rows["Beta"] == [D(0), D("-50.00"), D(0), D(0), D(0)]
    assert report.totals == [D("200.00"), D("-50.00"), D(0), D("600.00"), D(0)]
    # and as of 15 June, before the payment and the second invoice, the whole first invoice is 75 days overdue
    earlier = selectors.aged_balances(user=None, company=ledger, on=on - dt.timedelta(days=15), buckets=(60, 120))
    assert earlier.labels == ["Not due", "1–60", "61–120", "> 120"]
    assert {r.party: r.buckets for r in earlier.rows}["Alfa"] == [D(0), D(0), D("1000.00"), D(0)]


def test_profit_and_loss_compares_with_the_previous_year(ledger, accounts, journals):
    def book(day, amount):
        services.entry_create(
            actor=None,
            company=ledger,
            journal_id=journals["GEN"].pk,
            date=day,
            post=True,
            lines=[LineIn(account_id=accounts["1000"].pk, debit=amount), LineIn(account_id=accounts["4100"].pk, credit=amount)],
        )

    book(dt.date(2025, 3, 10), D("300.00"))
    book(dt.date(2026, 3, 10), D("450.00"))
    book(dt.date(2026, 7, 1), D("99.00"))
    report = selectors.profit_and_loss(
        user=None, company=ledger, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 6, 30), compare="previous_year"
    )
    income = report.sections[0]
    assert [(r.code, r.amount, r.compare) for r in income.rows] == [("4100", D("450.00"), D("300.00"))]
    assert (report.result, report.compare_result) == (D("450.00"), D("300.00"))
    assert (report.compare_from, report.compare_to) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
