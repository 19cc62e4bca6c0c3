"""The finance API's cash-flow, journal audit and analytic reports: shapes, figures and errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from spona.back.finance import services
from spona.back.finance.models import AnalyticAccount, Journal
from tests.api.conftest import assert_problem
from tests.back.finance.api.test_reports_bank import API, YEAR, books
from tests.factories import CompanyFactory, member


def test_cash_flow_answers_the_sections_and_the_cash_at_both_ends(api_as, accountant, customer, accounts, journals, vat20):
    books(accountant.default_company, customer, accounts, journals, vat20)
    client = api_as(accountant)
    # when the cash flow of 2026 is asked for beside 2025
    report = client.get(f"{API}/reports/cash-flow?{YEAR}&compare=previous_year").json()
    # then the result of 500.00, corrected by the open receivable and the VAT owed, is the 100.00 paid in
    assert [s["title"] for s in report["sections"]] == [
        "Result of the period",
        "Non-cash items",
        "Changes in working capital",
        "Investing activities",
        "Financing activities",
    ]
    assert report["sections"][0]["total"] == "500.00"
    assert [(r["code"], r["amount"]) for r in report["sections"][2]["rows"]] == [("1100", "-500.00"), ("2100", "100.00")]
    assert (report["cash_start"], report["operating"], report["result"], report["cash_end"]) == (
        "0.00",
        "100.00",
        "100.00",
        "100.00",
    )
    assert (report["compare_result"], report["compare_cash_end"]) == ("0.00", "0.00")


def test_journal_audit_pages_through_the_entries_with_their_proof(api_as, accountant, customer, accounts, journals, vat20):
    books(accountant.default_company, customer, accounts, journals, vat20)
    client = api_as(accountant)
    # when the sales journal is read one entry at a time
    first = client.get(f"{API}/reports/journal-audit?journal_id={journals['SAL'].pk}&{YEAR}&limit=1").json()
    rest = client.get(f"{API}/reports/journal-audit?journal_id={journals['SAL'].pk}&{YEAR}&offset=1").json()
    # then the entries follow each other in the chain, with totals and no findings
    assert [r["number"] for r in first["rows"] + rest["rows"]] == ["SAL/2026/00001", "SAL/2026/00002"]
    assert first["next_offset"] == 1 and rest["next_offset"] is None
    assert rest["rows"][0]["previous_hash"] == first["rows"][0]["hash"]
    assert first["rows"][0]["debit"] == first["rows"][0]["credit"] == "300.00"
    assert first["chain_breaks"] == [] and first["rows"][0]["missing_before"] == 0


def test_analytic_report_per_project(api_as, accountant, accounts, journals):
    company = accountant.default_company
    launch = AnalyticAccount.objects.create(company=company, dimension="project", code="P1", name="Launch")
    services.entry_create(
        actor=None,
        company=company,
        journal_id=journals["GEN"].pk,
        date=dt.date(2026, 6, 1),
        post=True,
        lines=[
            services.LineIn(account_id=accounts["6500"].pk, debit=D("120.00"), project_id=launch.pk),
            services.LineIn(account_id=accounts["1000"].pk, credit=D("120.00")),
        ],
    )
    report = api_as(accountant).get(f"{API}/reports/analytic?{YEAR}&dimension=project").json()
    assert [(r["code"], r["expense"], r["result"]) for r in report["rows"]] == [("P1", "120.00", "-120.00")]
    assert report["total_result"] == "-120.00" and report["compare_total_result"] is None


def test_new_report_errors_are_problems(api_as, accountant, journals):
    client = api_as(accountant)
    other = CompanyFactory()
    services.ledger_setup(actor=None, company=other)
    foreign = Journal.objects.get(company=other, code="SAL")
    # another company's journal is not found; a missing journal, a bad dimension or reversed dates are invalid
    assert_problem(client.get(f"{API}/reports/journal-audit?journal_id={foreign.pk}"), 404, "not_found")
    assert client.get(f"{API}/reports/journal-audit").status_code == 422
    assert client.get(f"{API}/reports/analytic?dimension=galaxy").status_code == 422
    assert_problem(client.get(f"{API}/reports/cash-flow?date_from=2026-12-01&date_to=2026-01-01"), 422, "validation_failed")
    # and a colleague without the finance role reads none of them
    sales = api_as(member(accountant.default_company, "sales"))
    for url in ("cash-flow", f"journal-audit?journal_id={journals['SAL'].pk}", "analytic"):
        assert sales.get(f"{API}/reports/{url}").status_code == 403, url


def test_an_account_is_given_and_changes_its_cash_flow_class(api_as, accountant, accounts):
    client = api_as(accountant)
    # when a vehicle account is added as an investment, then moved to working capital
    created = client.post(
        f"{API}/accounts",
        {"code": "1510", "name": "Vehicles", "type": "asset", "parent_id": accounts["15"].pk, "cash_flow": "investing"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["cash_flow"] == "investing"
    changed = client.patch(
        f"{API}/accounts/{created.json()['id']}", {"cash_flow": "working_capital"}, content_type="application/json"
    )
    # then the class is kept, and nothing else may be null
    assert changed.json()["cash_flow"] == "working_capital"
    refused = client.patch(f"{API}/accounts/{created.json()['id']}", {"cash_flow": None}, content_type="application/json")
    assert refused.status_code == 422
