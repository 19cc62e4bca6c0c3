"""The cash-flow, journal audit and analytic report screens and their exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from spona.back.finance import services
from spona.back.finance.models import AnalyticAccount, Journal
from tests.back.finance.web.helpers import make_invoice, pay
from tests.back.finance.web.test_reports import YEAR, body, csv_rows
from tests.factories import CompanyFactory, member


@pytest.fixture
def books(accountant, customer, accounts, journals, vat20):
    """Two posted invoices of 300.00 (250.00 + VAT), 100.00 paid into the bank on the April one."""
    company = accountant.default_company
    make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 10))
    april = make_invoice(company, customer, accounts, vat20)
    pay(company, april, journals, "100.00")
    return company


def test_cash_flow_page_explains_the_bank_balance_and_drills_down(
    client, login, accountant, books, accounts, django_assert_max_num_queries
):
    login(accountant)
    # when the cash flow of 2026 is shown against 2025
    with django_assert_max_num_queries(16):
        response = client.get(f"/finance/reports/cash-flow/?{YEAR}&compare=previous_year")
    # then a result of 500.00, less 500.00 still owed by the customer, plus 100.00 VAT owed, is the 100.00 in the bank
    report = response.context["report"]
    assert (report.cash_start, report.operating, report.result, report.cash_end) == (D(0), D("100.00"), D("100.00"), D("100.00"))
    page = response.content.decode()
    assert 'id="cash-end">100.00<' in page and 'id="compare-result">0.00<' in page
    # and the result leads to the profit and loss, each account to its general ledger
    assert "/finance/reports/profit-and-loss/?date_from=2026-01-01&amp;date_to=2026-12-31" in page
    assert f"/finance/reports/general-ledger/?account={accounts['1100'].pk}&amp;date_from=2026-01-01" in page


def test_cash_flow_exports_end_with_the_cash_at_the_end(client, login, accountant, books):
    login(accountant)
    rows = csv_rows(client.get(f"/finance/reports/cash-flow/?{YEAR}&export=csv"))
    assert ["", "Net cash from operating activities", "100.00"] in rows
    assert rows[-3:] == [
        ["", "Net change in cash", "100.00"],
        ["", "Cash at the start", "0.00"],
        ["", "Cash at the end", "100.00"],
    ]
    sheet = load_workbook(io.BytesIO(body(client.get(f"/finance/reports/cash-flow/?{YEAR}&export=xlsx"))), read_only=True).active
    last = list(sheet.iter_rows(values_only=True))[-1]
    assert last[1] == "Cash at the end" and D(str(last[2])) == D("100.00")
    assert body(client.get(f"/finance/reports/cash-flow/?{YEAR}&export=pdf")).startswith(b"%PDF-")


def test_journal_audit_page_lists_entries_with_hashes_and_exports_them(
    client, login, accountant, books, journals, django_assert_max_num_queries
):
    login(accountant)
    sales = journals["SAL"]
    # when the sales journal of 2026 is audited
    with django_assert_max_num_queries(16):
        response = client.get(f"/finance/reports/journal-audit/?journal={sales.pk}&{YEAR}")
    # then both invoices' entries are there in number order, the chain is intact, nothing is flagged
    rows = [r["row"] for r in response.context["rows"]]
    assert [r.number for r in rows] == ["SAL/2026/00001", "SAL/2026/00002"]
    page = response.content.decode()
    assert 'id="chain-intact"' in page and "data-flagged" not in page
    assert f"/finance/entries/{rows[0].entry_id}/" in page
    # and the CSV carries the full hashes
    exported = csv_rows(client.get(f"/finance/reports/journal-audit/?journal={sales.pk}&{YEAR}&export=csv"))
    assert exported[0][:3] == ["Position", "Date", "Entry"] and exported[0][-2:] == ["Hash", "Findings"]
    assert [row[-2] for row in exported[1:]] == [r.hash for r in rows]
    assert body(client.get(f"/finance/reports/journal-audit/?journal={sales.pk}&{YEAR}&export=xlsx"))[:2] == b"PK"


def test_journal_audit_of_another_companys_journal_shows_nothing(client, login, accountant, books):
    other = CompanyFactory()
    services.ledger_setup(actor=None, company=other)
    foreign = Journal.objects.get(company=other, code="SAL")
    login(accountant)
    response = client.get(f"/finance/reports/journal-audit/?journal={foreign.pk}&{YEAR}&export=csv")
    assert response.status_code == 200 and response.context["journal"] is None
    assert "report" not in response.context


def test_analytic_page_per_cost_centre_drills_down_to_the_lines(client, login, accountant, accounts, journals):
    company = accountant.default_company
    shop = AnalyticAccount.objects.create(company=company, dimension="cost_centre", code="CC1", name="Shop")
    for debit, credit, amount in (("1000", "4000", "800.00"), ("6100", "1000", "300.00")):
        services.entry_create(
            actor=None,
            company=company,
            journal_id=journals["GEN"].pk,
            date=dt.date(2026, 3, 1),
            post=True,
            lines=[
                services.LineIn(account_id=accounts[debit].pk, debit=D(amount), cost_centre_id=shop.pk),
                services.LineIn(account_id=accounts[credit].pk, credit=D(amount), cost_centre_id=shop.pk),
            ],
        )
    login(accountant)
    # when income and expenses per cost centre are shown
    response = client.get(f"/finance/reports/analytic/?{YEAR}&dimension=cost_centre&compare=previous_period")
    # then the shop made 500.00, and its row leads to its lines
    assert [(r["row"].code, r["row"].result) for r in response.context["rows"]] == [("CC1", D("500.00"))]
    page = response.content.decode()
    assert 'id="result">500.00<' in page
    period = "dimension=cost_centre&amp;date_from=2026-01-01&amp;date_to=2026-12-31"
    link = f"/finance/reports/analytic/lines/?{period}&amp;analytic={shop.pk}"
    assert link in page
    lines = client.get(link.replace("&amp;", "&"))
    assert [(x.account, x.credit) for x in lines.context["lines"]] == [("4000 Sales of goods", D("800.00")), ("6100 Rent", D(0))]
    # and the CSV carries the same figures
    rows = csv_rows(client.get(f"/finance/reports/analytic/?{YEAR}&dimension=cost_centre&export=csv"))
    assert rows[1] == ["CC1", "Shop", "800.00", "300.00", "500.00"] and rows[-1][-1] == "500.00"


def test_new_reports_are_listed_and_closed_to_other_roles(client, login, accountant, books):
    login(accountant)
    page = client.get("/finance/reports/").content.decode()
    urls = ("/finance/reports/cash-flow/", "/finance/reports/journal-audit/", "/finance/reports/analytic/")
    assert all(url in page for url in urls)
    client.force_login(member(books, "sales"))
    for url in (*urls, "/finance/reports/analytic/lines/"):
        assert client.get(url).status_code == 403, url


def test_garbage_filters_are_refused_without_an_error(client, login, accountant, books):
    login(accountant)
    for url in (
        "/finance/reports/cash-flow/?date_from=2026-12-01&date_to=2026-01-01",
        "/finance/reports/cash-flow/?compare=alien&date_to=x",
        "/finance/reports/journal-audit/?journal=abc&date_from=2026-02-30",
        "/finance/reports/analytic/?dimension=galaxy&export=doc",
        "/finance/reports/analytic/lines/?analytic=-4&dimension=x",
    ):
        assert client.get(url).status_code == 200, url
