"""The report screens and their CSV, XLSX and PDF exports; figures as the selectors compute them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from spona.back.finance import selectors, services
from tests.back.finance.web.helpers import DAY, make_invoice, pay
from tests.factories import CompanyFactory, member

YEAR = "date_from=2026-01-01&date_to=2026-12-31"


@pytest.fixture
def books(accountant, customer, accounts, journals, vat20):
    """Two posted invoices of 300.00 (one in March, one in April), 100.00 paid on the April one."""
    company = accountant.default_company
    march = make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 10))
    april = make_invoice(company, customer, accounts, vat20)
    pay(company, april, journals, "100.00")
    return company, march, april


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.reader(io.StringIO(body(response).decode())))


def test_reports_index_lists_every_report_and_sits_in_the_menu(client, login, accountant):
    # given an accountant
    login(accountant)
    # when they open the reports
    response = client.get("/finance/reports/")
    # then every report is linked, and the menu has Reports and Bank statements
    page = response.content.decode()
    for url in ("profit-and-loss", "balance-sheet", "aged", "general-ledger", "partner-ledger", "tax", "trial-balance"):
        assert f"/finance/{'reports/' if url != 'trial-balance' else ''}{url}/" in page
    assert "/finance/bank-statements/" in page and "/finance/fiscal-years/" in page


def test_profit_and_loss_shows_the_selectors_figures_with_drill_down_and_comparison(client, login, accountant, books):
    company, _march, _april = books
    # given two invoices of 250.00 untaxed each in 2026
    expected = selectors.profit_and_loss(user=None, company=company, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    assert expected.result == D("500.00")
    login(accountant)
    # when the P&L of 2026 is shown against the previous year
    response = client.get(f"/finance/reports/profit-and-loss/?{YEAR}&compare=previous_year")
    # then the result and the comparison are there, and each account links to its ledger
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["report"].result == D("500.00")
    assert response.context["report"].compare_result == D(0)
    assert 'id="result">500.00<' in page
    assert "/finance/reports/general-ledger/?account=" in page
    # a period compared with the one before it: April alone against March
    april = client.get("/finance/reports/profit-and-loss/?date_from=2026-04-01&date_to=2026-04-30&compare=previous_period")
    assert (april.context["report"].result, april.context["report"].compare_result) == (D("250.00"), D("250.00"))


def test_reversed_dates_and_garbage_are_refused_with_a_message(client, login, accountant, books):
    _company, *_ = books
    login(accountant)
    response = client.get("/finance/reports/profit-and-loss/?date_from=2026-12-01&date_to=2026-01-01")
    assert response.status_code == 200 and response.context["report"] is None
    assert "after the end date" in response.content.decode()
    for url in (
        "/finance/reports/balance-sheet/?date_to=x&compare=alien",
        "/finance/reports/aged/?buckets=a,b&on=2026-13-01&kind=zzz",
        "/finance/reports/general-ledger/?account=999999999&date_from=x",
        "/finance/reports/partner-ledger/?party=-1",
        "/finance/reports/tax/?date_from=2026-02-30&export=doc",
    ):
        assert client.get(url).status_code == 200, url


def test_balance_sheet_balances_and_compares(client, login, accountant, books):
    _company, *_ = books
    login(accountant)
    response = client.get("/finance/reports/balance-sheet/?date_to=2026-12-31&compare=previous_period")
    report = response.context["report"]
    assert report.result == D(0)
    assets = report.sections[0]
    # receivable 600.00 − 100.00 paid + bank 100.00
    assert assets.total == D("600.00")


def test_aged_receivables_with_configured_buckets(client, login, accountant, books):
    company, _march, _april = books
    login(accountant)
    # given the March invoice due on its date and the April one partly paid
    response = client.get("/finance/reports/aged/?kind=receivable&on=2026-05-15&buckets=45,90")
    # then the buckets are the ones asked for and the total is what is open
    report = response.context["report"]
    assert report.labels == ["Not due", "1–45", "46–90", "> 90"]
    assert sum(report.totals) == D("500.00")
    expected = selectors.aged_balances(user=None, company=company, on=dt.date(2026, 5, 15), buckets=[45, 90])
    assert report.totals == expected.totals
    assert "/finance/reports/partner-ledger/?party=" in response.content.decode()
    bad = client.get("/finance/reports/aged/?buckets=0,99999")
    assert "between 1 and 3650" in bad.content.decode()


def test_general_ledger_opening_running_balance_and_entry_links(client, login, accountant, books, accounts):
    _company, _march, april = books
    login(accountant)
    receivable = accounts["1100"]
    # when the receivable account is shown from April on
    response = client.get(f"/finance/reports/general-ledger/?account={receivable.pk}&date_from=2026-04-01&date_to=2026-12-31")
    # then March is the opening balance and each line runs the balance on, linking to its entry
    assert response.context["opening"] == D("300.00")
    assert [line.balance for line in response.context["lines"]] == [D("600.00"), D("500.00")]
    assert response.context["closing"] == D("500.00")
    assert f"/finance/entries/{april.entry_id}/" in response.content.decode()


def test_partner_ledger_and_tax_report(client, login, accountant, books, customer):
    _company, *_ = books
    login(accountant)
    partner = client.get(f"/finance/reports/partner-ledger/?party={customer.pk}&{YEAR}")
    ledgers = partner.context["ledgers"]
    receivable = next(ledger for name, ledger in ledgers.items() if name.startswith("1100"))
    assert receivable.closing == D("500.00")
    tax = client.get(f"/finance/reports/tax/?{YEAR}")
    rows = [r["row"] for r in tax.context["rows"]]
    assert [(r.base, r.amount) for r in rows] == [(D("500.00"), D("100.00"))]


def test_csv_and_xlsx_exports_carry_the_report_figures(client, login, accountant, books, accounts):
    _company, *_ = books
    login(accountant)
    # CSV of the P&L: header, sections, totals, result
    response = client.get(f"/finance/reports/profit-and-loss/?{YEAR}&export=csv")
    assert response["Content-Type"].startswith("text/csv") and response.streaming
    rows = csv_rows(response)
    assert rows[-1][1:] == ["Net profit", "500.00"]
    assert ["", "Total Income", "500.00"] in rows
    # XLSX of the general ledger: numbers as numbers, the closing balance last
    response = client.get(f"/finance/reports/general-ledger/?account={accounts['1100'].pk}&{YEAR}&export=xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[1][0] == "Date"
    assert values[-1][2] == "Closing balance" and D(str(values[-1][6])) == D("500.00")
    assert isinstance(values[3][0], dt.datetime) and D(str(values[3][4])) == D("300.00")
    # aged and tax as CSV
    aged = csv_rows(client.get("/finance/reports/aged/?on=2026-05-15&export=csv"))
    assert aged[-1][0] == "Total" and aged[-1][-1] == "500.00"
    tax = csv_rows(client.get(f"/finance/reports/tax/?{YEAR}&export=csv"))
    assert tax[1][-2:] == ["500.00", "100.00"]


def test_csv_cells_cannot_run_as_formulas(client, login, accountant, accounts, journals):
    company = accountant.default_company
    services.entry_create(
        actor=None,
        company=company,
        journal_id=journals["GEN"].pk,
        date=DAY,
        memo='=HYPERLINK("http://evil")',
        lines=[
            services.LineIn(account_id=accounts["6100"].pk, debit=D(5)),
            services.LineIn(account_id=accounts["1000"].pk, credit=D(5)),
        ],
        post=True,
    )
    login(accountant)
    rows = csv_rows(client.get(f"/finance/reports/general-ledger/?account={accounts['6100'].pk}&{YEAR}&export=csv"))
    assert rows[2][2].startswith("'=")


def test_exports_of_a_closed_year_are_byte_identical_on_re_run(client, login, accountant, books, accounts):
    company, *_ = books
    # given 2026 closed
    year = services.fiscal_year_of(company=company, day=DAY)
    services.fiscal_year_close(actor=None, company=company, year_id=year.pk)
    login(accountant)
    urls = [
        f"/finance/reports/profit-and-loss/?{YEAR}&compare=previous_year",
        "/finance/reports/balance-sheet/?date_to=2026-12-31",
        f"/finance/reports/general-ledger/?account={accounts['1100'].pk}&{YEAR}",
        "/finance/reports/aged/?on=2026-12-31",
        f"/finance/reports/tax/?{YEAR}",
    ]
    for url in urls:
        for kind in ("csv", "xlsx", "pdf"):
            # when each report is exported twice, a second apart at least in the ZIP's clock
            first = body(client.get(f"{url}&export={kind}"))
            second = body(client.get(f"{url}&export={kind}"))
            # then the bytes are the same
            assert first == second, (url, kind)
            assert first
    pdf = body(client.get(f"{urls[0]}&export=pdf"))
    assert pdf.startswith(b"%PDF-")


def test_invoice_pdf_downloads_for_finance_only(client, login, accountant, books, customer):
    company, march, _april = books
    login(accountant)
    response = client.get(f"/finance/documents/{march.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content == client.get(f"/finance/documents/{march.pk}/pdf/").content
    assert f"/finance/documents/{march.pk}/pdf/" in client.get(f"/finance/documents/{march.pk}/").content.decode()
    # a colleague without a finance role and a stranger get nothing
    client.force_login(member(company, "hr"))
    assert client.get(f"/finance/documents/{march.pk}/pdf/").status_code == 403
    client.force_login(member(CompanyFactory(), "finance"))
    assert client.get(f"/finance/documents/{march.pk}/pdf/").status_code in (403, 404)


def test_general_ledger_page_shows_the_first_lines_and_the_true_closing(client, login, accountant, books, accounts, monkeypatch):
    # given a page limit of one line and an account with two lines from April on
    from spona.back.finance.views import reports

    monkeypatch.setattr(reports, "MAX_PAGE_LINES", 1)
    login(accountant)
    # when its general ledger is shown
    response = client.get(f"/finance/reports/general-ledger/?account={accounts['1100'].pk}&date_from=2026-04-01")
    # then one line shows, with a note, and the closing balance still counts them all
    assert len(response.context["lines"]) == 1 and response.context["truncated"]
    assert response.context["closing"] == D("500.00")
    assert "the exports hold every line" in response.content.decode()
