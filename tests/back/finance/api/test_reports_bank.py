"""The finance API's reports, bank statements, fiscal year close and chart changes: shapes, figures and errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from spona.back.finance import services
from spona.back.finance.models import Account, BankStatementLine
from tests.api.conftest import assert_problem
from tests.back.finance.web.helpers import make_invoice, pay
from tests.factories import member

API = "/api/v1/finance"
DATA = Path(__file__).resolve().parent.parent / "data"
YEAR = "date_from=2026-01-01&date_to=2026-12-31"


def books(company, customer, accounts, journals, vat20):
    march = make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 10))
    april = make_invoice(company, customer, accounts, vat20)
    pay(company, april, journals, "100.00")
    return march, april


def test_reports_answer_the_selectors_figures_as_strings(api_as, accountant, customer, accounts, journals, vat20):
    company = accountant.default_company
    books(company, customer, accounts, journals, vat20)
    client = api_as(accountant)
    # profit and loss with a comparison
    pl = client.get(f"{API}/reports/profit-and-loss?{YEAR}&compare=previous_year").json()
    assert (pl["result"], pl["compare_result"], pl["currency"]) == ("500.00", "0.00", "EUR")
    assert pl["sections"][0]["title"] == "Income" and pl["sections"][0]["total"] == "500.00"
    # balance sheet: balanced
    bs = client.get(f"{API}/reports/balance-sheet?date_to=2026-12-31").json()
    assert bs["result"] == "0.00" and bs["sections"][0]["total"] == "600.00"
    # aged receivables with buckets
    aged = client.get(f"{API}/reports/aged?on=2026-05-15&buckets=45&buckets=90").json()
    assert aged["labels"] == ["Not due", "1–45", "46–90", "> 90"]
    assert aged["rows"][0]["total"] == "500.00"
    # general ledger, paged, with opening and running balance
    ledger = client.get(f"{API}/reports/general-ledger?account_id={accounts['1100'].pk}&date_from=2026-04-01&limit=1").json()
    assert ledger["opening"] == "300.00" and [x["balance"] for x in ledger["lines"]] == ["600.00"]
    assert ledger["next_offset"] == 1
    rest = client.get(f"{API}/reports/general-ledger?account_id={accounts['1100'].pk}&date_from=2026-04-01&offset=1").json()
    assert [x["balance"] for x in rest["lines"]] == ["500.00"] and rest["next_offset"] is None
    # tax report
    tax = client.get(f"{API}/reports/tax?{YEAR}").json()
    assert [(r["base"], r["amount"], r["use"]) for r in tax["rows"]] == [("500.00", "100.00", "sales")]


def test_report_errors_are_problems(api_as, accountant, accounts):
    client = api_as(accountant)
    assert_problem(client.get(f"{API}/reports/profit-and-loss?date_from=2026-12-01&date_to=2026-01-01"), 422, "validation_failed")
    assert_problem(client.get(f"{API}/reports/general-ledger"), 422, "validation_failed")
    assert client.get(f"{API}/reports/aged?buckets=0").status_code == 422
    assert client.get(f"{API}/reports/general-ledger?account_id=999999").status_code == 404
    client = api_as(member(accountant.default_company, "sales"))
    assert client.get(f"{API}/reports/tax").status_code == 403


def test_bank_statement_upload_list_detail_and_reconcile(api_as, accountant, customer, accounts, journals, vat20):
    company = accountant.default_company
    make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 1))
    make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 2), price="75.00")
    client = api_as(accountant)
    # when the CAMT.053 file is uploaded
    upload = {"journal_id": journals["BNK"].pk, "file_format": "camt053"}
    upload["file"] = SimpleUploadedFile("camt053.xml", (DATA / "camt053.xml").read_bytes())
    response = client.post(f"{API}/bank-statements", upload)
    assert response.status_code == 201, response.content
    statement = response.json()
    assert (statement["line_count"], statement["open_count"], statement["balance_end"]) == (2, 2, "1227.50")
    assert {x["amount"] for x in statement["lines"]} == {"240.00", "-12.50"}
    # the same file again is refused
    again = {**upload, "file": SimpleUploadedFile("camt053.xml", (DATA / "camt053.xml").read_bytes())}
    assert_problem(client.post(f"{API}/bank-statements", again), 422, "duplicate_statement")
    # listed, and read back
    assert [s["id"] for s in client.get(f"{API}/bank-statements").json()] == [statement["id"]]
    assert client.get(f"{API}/bank-statements/{statement['id']}").json()["lines"] == statement["lines"]
    # the incoming line reconciled with the invoice, the fee booked to bank charges
    incoming = next(x for x in statement["lines"] if x["amount"] == "240.00")
    invoice_id = services.line_suggestions(company=company, line=BankStatementLine.objects.get(pk=incoming["id"]))[0].invoice_id
    done = client.post(
        f"{API}/bank-statement-lines/{incoming['id']}/reconcile", {"invoice_ids": [invoice_id]}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["reconciled"] is True
    fee = next(x for x in statement["lines"] if x["amount"] == "-12.50")
    body = {"account_id": accounts["6600"].pk}
    assert (
        client.post(f"{API}/bank-statement-lines/{fee['id']}/reconcile", body, content_type="application/json").status_code == 200
    )
    assert client.get(f"{API}/bank-statements/{statement['id']}").json()["open_count"] == 0
    # twice: a state error; both or none: a validation error
    assert_problem(
        client.post(f"{API}/bank-statement-lines/{fee['id']}/reconcile", body, content_type="application/json"),
        409,
        "invalid_state",
    )
    both = {"account_id": accounts["6600"].pk, "entry_id": 1}
    assert (
        client.post(f"{API}/bank-statement-lines/{fee['id']}/reconcile", both, content_type="application/json").status_code == 422
    )


def test_fiscal_year_close_refuses_then_closes(api_as, accountant, customer, accounts, journals, vat20):
    company = accountant.default_company
    books(company, customer, accounts, journals, vat20)
    client = api_as(accountant)
    services.statement_import(
        actor=None,
        company=company,
        journal_id=journals["BNK"].pk,
        file_format="ofx",
        data=(DATA / "statement.ofx").read_bytes(),
    )
    year = next(y for y in client.get(f"{API}/fiscal-years").json() if y["name"] == "2026")
    assert year["closed"] is False
    refused = client.post(f"{API}/fiscal-years/{year['id']}/close")
    assert_problem(refused, 422, "bank_lines_open")
    for line in BankStatementLine.objects.all():
        services.line_reconcile(actor=None, company=company, line_id=line.pk, account_id=accounts["6600"].pk)
    closed = client.post(f"{API}/fiscal-years/{year['id']}/close")
    assert closed.status_code == 200 and closed.json()["closed"] is True
    assert client.post(f"{API}/fiscal-years/{year['id']}/close").status_code == 409


def test_accounts_create_and_patch(api_as, accountant, accounts):
    client = api_as(accountant)
    body = {"code": "6650", "name": "Software", "type": "expense", "parent_id": accounts["6"].pk}
    created = client.post(f"{API}/accounts", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["parent_id"] == accounts["6"].pk
    assert_problem(client.post(f"{API}/accounts", body, content_type="application/json"), 422, "validation_failed")
    # company and state cannot be set (SEC2)
    assert (
        client.post(f"{API}/accounts", {**body, "code": "6651", "company_id": 1}, content_type="application/json").status_code
        == 422
    )
    account_id = created.json()["id"]
    patched = client.patch(
        f"{API}/accounts/{account_id}", {"name": "Licences", "is_active": False}, content_type="application/json"
    )
    assert patched.status_code == 200 and (patched.json()["name"], patched.json()["is_active"]) == ("Licences", False)
    assert client.patch(f"{API}/accounts/{account_id}", {"code": "7"}, content_type="application/json").status_code == 422
    assert client.patch(f"{API}/accounts/{account_id}", {"name": None}, content_type="application/json").status_code == 422
    assert Account.objects.get(pk=account_id).code == "6650"
    management = api_as(member(accountant.default_company, "management"))
    assert management.patch(f"{API}/accounts/{account_id}", {"name": "x"}, content_type="application/json").status_code == 403
