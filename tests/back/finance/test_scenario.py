"""Scenario: from an empty chart to closed books and statements, with exact figures (issue 3).

Spona Trade d.o.o. keeps its books in EUR. It invoices a US customer in USD with two tax rates,
is paid half in USD at a better rate, imports its bank statement, reconciles it, closes 2026
and reads its statements.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from spona.back.finance import selectors, services
from spona.back.finance.models import Account, FiscalYear, Journal, Tax, TaxGroup
from spona.back.finance.services import InvoiceLineIn
from spona.core.errors import ValidationFailed
from spona.core.services import exchange_rate_set
from tests.factories import CompanyFactory, member, party

STATEMENT = """Booking date;Amount;Partner;Reference;Text
01.03.2026;653,20;Acme Corp;;USD 710.00 from Acme Corp
10.03.2026;240,00;Kupac d.o.o.;{eur_invoice};Payment
31.03.2026;-12,50;;;Account fees March
"""


@pytest.fixture
def books(db):
    company = CompanyFactory(name="Spona Trade d.o.o.", code="spona-trade", base_currency="EUR", country="RS")
    accountant = member(company, "finance", "management")
    return company, accountant


def test_the_year_of_spona_trade(books):
    company, accountant = books
    # 1. The chart of accounts, journals and a 20 % VAT come from the generic template; a 10 % VAT is added.
    services.ledger_setup(actor=accountant, company=company)
    code = {a.code: a for a in Account.objects.filter(company=company)}
    journal = {j.code: j for j in Journal.objects.filter(company=company)}
    vat20 = Tax.objects.get(company=company, use="sales", amount=D(20))
    vat10 = Tax.objects.create(
        company=company,
        name="VAT 10 %",
        use="sales",
        amount=D(10),
        group=TaxGroup.objects.create(company=company, name="VAT 10 %"),
        account=code["2100"],
    )
    exchange_rate_set(actor=None, company=company, currency="USD", rate_date=dt.date(2026, 2, 1), rate=D("0.90"))
    exchange_rate_set(actor=None, company=company, currency="USD", rate_date=dt.date(2026, 3, 1), rate=D("0.92"))
    acme = party(company, "Acme Corp", roles=["customer"])
    kupac = party(company, "Kupac d.o.o.", roles=["customer"])

    # 2. An invoice in USD with two tax rates: 1,200.00 + 220.00 tax = 1,420.00 USD = 1,278.00 EUR at 0.90.
    draft = services.invoice_create(
        actor=accountant,
        company=company,
        kind="out_invoice",
        party_id=acme.pk,
        invoice_date=dt.date(2026, 2, 1),
        currency="USD",
        lines=[
            InvoiceLineIn(
                description="Implementation days",
                account_id=code["4100"].pk,
                quantity=D(10),
                unit_price=D("100.00"),
                tax_ids=[vat20.pk],
            ),
            InvoiceLineIn(
                description="Manuals", account_id=code["4000"].pk, quantity=D(5), unit_price=D("40.00"), tax_ids=[vat10.pk]
            ),
        ],
    )
    usd_invoice = services.invoice_post(actor=accountant, company=company, invoice_id=draft.pk)
    assert (usd_invoice.untaxed, usd_invoice.tax, usd_invoice.total) == (D("1200.00"), D("220.00"), D("1420.00"))
    assert usd_invoice.entry.lines.get(account=code["1100"]).debit == D("1278.00")

    # 3. Acme pays half, USD 710.00, on 1 March at 0.92: 653.20 EUR for what was booked at 639.00, a 14.20 gain.
    payment = services.payment_register(
        actor=accountant,
        company=company,
        direction="inbound",
        party_id=acme.pk,
        amount=D("710.00"),
        currency="USD",
        journal_id=journal["BNK"].pk,
        date=dt.date(2026, 3, 1),
        invoice_ids=[usd_invoice.pk],
    )
    assert selectors.invoice_residual(usd_invoice) == D("710.00")
    assert selectors.invoice_payment_state(usd_invoice) == "partial"
    assert selectors.account_balance(company=company, account_id=code["4800"].pk) == D("-14.20")

    # A domestic invoice of 200.00 + 20 % that the bank statement will show paid.
    eur_invoice = services.invoice_post(
        actor=accountant,
        company=company,
        invoice_id=services.invoice_create(
            actor=accountant,
            company=company,
            kind="out_invoice",
            party_id=kupac.pk,
            invoice_date=dt.date(2026, 3, 2),
            lines=[InvoiceLineIn(description="Support", account_id=code["4100"].pk, unit_price=D("200.00"), tax_ids=[vat20.pk])],
        ).pk,
    )

    # 4. The March bank statement comes as a CSV file with Serbian number and date formats.
    statement = services.statement_import(
        actor=accountant,
        company=company,
        journal_id=journal["BNK"].pk,
        file_format="csv",
        data=STATEMENT.format(eur_invoice=eur_invoice.number).encode(),
        csv_mapping={
            "date": "Booking date",
            "amount": "Amount",
            "partner_name": "Partner",
            "reference": "Reference",
            "label": "Text",
        },
        csv_date_format="%d.%m.%Y",
        csv_decimal_separator=",",
        csv_delimiter=";",
    )
    assert [str(x.amount) for x in statement.lines.order_by("date")] == ["653.2000", "240.0000", "-12.5000"]
    with pytest.raises(ValidationFailed, match="already imported"):
        services.statement_import(
            actor=accountant,
            company=company,
            journal_id=journal["BNK"].pk,
            file_format="csv",
            data=STATEMENT.format(eur_invoice=eur_invoice.number).encode(),
            csv_mapping={"date": "Booking date", "amount": "Amount"},
        )

    # 5. Reconciliation: the USD receipt matches the payment already booked, the 240.00 names its invoice,
    #    and the fees go to bank charges by hand.
    assert services.statement_auto_reconcile(actor=accountant, company=company, statement_id=statement.pk) == 2
    assert statement.lines.get(amount=D("653.20")).entry_id == payment.entry_id
    assert selectors.invoice_payment_state(eur_invoice) == "paid"
    fees = statement.lines.get(amount=D("-12.50"))
    with pytest.raises(ValidationFailed, match="not reconciled"):
        services.fiscal_year_close(
            actor=accountant, company=company, year_id=FiscalYear.objects.get(company=company, name="2026").pk
        )
    services.line_reconcile(actor=accountant, company=company, line_id=fees.pk, account_id=code["6600"].pk)

    # 6. Statements before closing: income 1,080.00 + 200.00 + 14.20 gain, expenses 12.50.
    year = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    pnl = selectors.profit_and_loss(user=accountant, company=company, date_from=year[0], date_to=year[1])
    assert [s.total for s in pnl.sections] == [D("1294.20"), D("12.50")]
    assert pnl.result == D("1281.70")
    taxes = {
        (t.tax, t.use): (t.base, t.amount)
        for t in selectors.tax_report(user=accountant, company=company, date_from=year[0], date_to=year[1])
    }
    assert taxes == {("VAT 20 %", "sales"): (D("1100.00"), D("220.00")), ("VAT 10 %", "sales"): (D("180.00"), D("18.00"))}
    aged = selectors.aged_balances(user=accountant, company=company, on=dt.date(2026, 3, 31))
    assert [(r.party, r.buckets) for r in aged.rows] == [("Acme Corp", [D(0), D(0), D("639.00"), D(0), D(0)])]

    # 7. Year-end close moves the result to retained earnings and locks 2026 for good.
    closed = services.fiscal_year_close(
        actor=accountant, company=company, year_id=FiscalYear.objects.get(company=company, name="2026").pk
    )
    assert closed.is_closed() and closed.trial_balance
    sheet = selectors.balance_sheet(user=accountant, company=company, date_to=year[1])
    assets, liabilities, equity = ({r.code: r.amount for r in s.rows} for s in sheet.sections)
    assert assets == {"1000": D("880.70"), "1100": D("639.00")}
    assert liabilities == {"2100": D("238.00")}
    assert equity == {"3100": D("1281.70")}
    assert sheet.result == D(0)
    assert selectors.profit_and_loss(
        user=accountant, company=company, date_from=dt.date(2027, 1, 1), date_to=dt.date(2027, 12, 31)
    ).result == D(0)
    with pytest.raises(ValidationFailed, match="locked"):
        services.entry_create(
            actor=accountant,
            company=company,
            journal_id=journal["GEN"].pk,
            date=dt.date(2026, 12, 31),
            lines=[
                services.LineIn(account_id=code["1000"].pk, debit=D(1)),
                services.LineIn(account_id=code["3000"].pk, credit=D(1)),
            ],
        )

    # 8. The ledger is balanced, its chains intact, and its balances agree with its lines.
    assert sum(r.balance for r in selectors.trial_balance(user=accountant, company=company)) == D(0)
    assert selectors.ledger_verify(company=company) == []
    assert selectors.balance_check(company=company) == []
