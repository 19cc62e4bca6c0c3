"""Bank statements through the UI (import, suggestions, reconcile), the year-end close page and the chart's forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spona.back.finance import services
from spona.back.finance.models import Account, BankStatement, BankStatementLine, FiscalYear
from spona.back.finance.services import LineIn
from tests.back.finance.web.helpers import make_invoice, pay
from tests.factories import CompanyFactory, member

DATA = Path(__file__).resolve().parent.parent / "data"
CSV_STATEMENT = "Booking date;Amount;Partner;Reference;Text\n10.03.2026;240,00;Kupac d.o.o.;SAL/2026/00002;Payment\n"


@pytest.fixture
def invoices(accountant, customer, accounts, vat20):
    """SAL/2026/00001 of 300.00 and SAL/2026/00002 of 240.00, both open."""
    company = accountant.default_company
    first = make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 1))
    second = make_invoice(company, customer, accounts, vat20, day=dt.date(2026, 3, 2), price="75.00")
    assert (second.number, second.total) == ("SAL/2026/00002", D("240.00"))
    return first, second


def upload(client, journals, name, file_format, **extra):
    content = (DATA / name).read_bytes() if (DATA / name).exists() else extra.pop("content")
    data = {"journal": journals["BNK"].pk, "file_format": file_format, "file": SimpleUploadedFile(name, content), **extra}
    return client.post("/finance/bank-statements/import/", data)


def test_camt053_import_then_reconcile_automatically_and_book_the_fee(client, login, accountant, journals, accounts, invoices):
    _first, second = invoices
    login(accountant)
    assert client.get("/finance/bank-statements/import/").status_code == 200
    # given the March CAMT.053 file imported into the bank journal
    response = upload(client, journals, "camt053.xml", "camt053")
    statement = BankStatement.objects.get(journal=journals["BNK"])
    assert response.status_code == 302 and response["Location"] == f"/finance/bank-statements/{statement.pk}/"
    page = client.get(response["Location"])
    # then both lines are open, and the payment line suggests SAL/2026/00002 for 240.00
    assert page.context["open_count"] == 2
    incoming = next(r for r in page.context["rows"] if r["line"].amount > 0)
    assert [s.number for s in incoming["suggestions"]] == ["SAL/2026/00002"]
    assert page.content.decode().count('data-reconciled="no"') == 2
    # when the accountant reconciles automatically
    response = client.post(f"/finance/bank-statements/{statement.pk}/auto/", follow=True)
    # then the sure line is matched and the invoice is paid; the fee stays open
    assert "1 lines reconciled automatically" in response.content.decode()
    assert response.context["open_count"] == 1
    second.refresh_from_db()
    from spona.back.finance import selectors

    assert selectors.invoice_residual(second) == D(0)
    # when the fee is booked to 6600 Bank charges
    fee = BankStatementLine.objects.get(statement=statement, amount=D("-12.50"))
    response = client.post(
        f"/finance/bank-statement-lines/{fee.pk}/reconcile/", {f"line-{fee.pk}-account": accounts["6600"].pk}, follow=True
    )
    # then every line is reconciled
    assert response.context["open_count"] == 0
    assert "All lines reconciled" in response.content.decode()
    fee.refresh_from_db()
    assert fee.entry.lines.get(account=accounts["6600"]).debit == D("12.50")
    listing = client.get("/finance/bank-statements/")
    assert listing.context["statements"][0].open_count == 0


def test_same_file_twice_and_a_bad_file_are_refused_on_the_form(client, login, accountant, journals, invoices):
    login(accountant)
    assert upload(client, journals, "statement.ofx", "ofx").status_code == 302
    again = upload(client, journals, "statement.ofx", "ofx")
    assert again.status_code == 422 and "already imported" in again.content.decode()
    broken = upload(client, journals, "broken.xml", "camt053", content=b"<Document><nope")
    assert broken.status_code == 422
    assert BankStatement.objects.count() == 1


def test_csv_import_needs_a_mapping_and_remembers_it_per_journal(client, login, accountant, journals, invoices):
    login(accountant)
    # a CSV without a mapping is refused with the parser's message
    refused = upload(client, journals, "march.csv", "csv", content=CSV_STATEMENT.encode())
    assert refused.status_code == 422
    mapping = {"col_date": "Booking date", "col_amount": "Amount", "col_partner_name": "Partner", "col_reference": "Reference"}
    mapping.update({"col_label": "Text", "date_format": "%d.%m.%Y", "decimal_separator": ",", "delimiter": ";"})
    response = upload(client, journals, "march.csv", "csv", content=CSV_STATEMENT.encode(), **mapping)
    assert response.status_code == 302
    assert BankStatementLine.objects.get().amount == D("240.00")
    # the next import form starts from the same mapping
    form = client.get(f"/finance/bank-statements/import/?journal={journals['BNK'].pk}").context["form"]
    assert form.initial["col_date"] == "Booking date" and form.initial["delimiter"] == ";"


def test_a_line_matches_a_payment_already_booked(client, login, accountant, journals, invoices):
    first, _second = invoices
    company = accountant.default_company
    # given 240.00 already registered as a payment in the bank journal
    payment = pay(company, first, journals, "240.00", day=dt.date(2026, 3, 10))
    login(accountant)
    upload(client, journals, "statement.ofx", "ofx")
    line = BankStatementLine.objects.get(amount=D("240.00"))
    page = client.get(f"/finance/bank-statements/{line.statement_id}/")
    row = next(r for r in page.context["rows"] if r["line"].pk == line.pk)
    assert [e.pk for e in row["entries"]] == [payment.entry_id]
    # when it is chosen, the line is reconciled with that entry
    client.post(f"/finance/bank-statement-lines/{line.pk}/reconcile/", {"entry": payment.entry_id})
    line.refresh_from_db()
    assert line.entry_id == payment.entry_id
    # nothing chosen, or a line already reconciled: a message, no change
    response = client.post(f"/finance/bank-statement-lines/{line.pk}/reconcile/", {"entry": "x"}, follow=True)
    assert "Choose a payment" in response.content.decode()


def test_bank_pages_need_the_role_and_the_company(client, login, accountant, journals, invoices):
    login(accountant)
    upload(client, journals, "statement.ofx", "ofx")
    statement = BankStatement.objects.get()
    line = statement.lines.first()
    company = accountant.default_company
    client.force_login(member(company, "management"))
    assert client.get(f"/finance/bank-statements/{statement.pk}/").status_code == 200
    assert client.post(f"/finance/bank-statements/{statement.pk}/auto/").status_code == 403
    client.force_login(member(CompanyFactory(), "finance"))
    assert client.get(f"/finance/bank-statements/{statement.pk}/").status_code == 404
    assert client.post(f"/finance/bank-statement-lines/{line.pk}/reconcile/", {"entry": 1}).status_code == 404


# Fiscal years -------------------------------------------------------------------------------------


def test_close_year_shows_the_refusal_then_closes(client, login, accountant, accounts, journals, invoices):
    company = accountant.default_company
    year = services.fiscal_year_of(company=company, day=dt.date(2026, 3, 1))
    draft = services.entry_create(
        actor=None,
        company=company,
        journal_id=journals["GEN"].pk,
        date=dt.date(2026, 6, 1),
        lines=[LineIn(account_id=accounts["6100"].pk, debit=D(5)), LineIn(account_id=accounts["1000"].pk, credit=D(5))],
    )
    login(accountant)
    listing = client.get("/finance/fiscal-years/")
    assert f"/finance/fiscal-years/{year.pk}/close/" in listing.content.decode()
    confirm = client.get(f"/finance/fiscal-years/{year.pk}/close/")
    assert "cannot be undone" in confirm.content.decode()
    # when closing with a draft in the year: refused, the reason shown
    refused = client.post(f"/finance/fiscal-years/{year.pk}/close/")
    assert refused.status_code == 422 and "1 draft entries" in refused.content.decode()
    # then with the draft posted it closes
    services.entry_post(actor=None, company=company, entry_id=draft.pk)
    response = client.post(f"/finance/fiscal-years/{year.pk}/close/", follow=True)
    assert "is closed" in response.content.decode()
    assert FiscalYear.objects.get(pk=year.pk).is_closed()
    # a finance manager without lock rights cannot: management reads only
    client.force_login(member(company, "management"))
    assert client.post(f"/finance/fiscal-years/{year.pk}/close/").status_code == 403


def test_close_year_refuses_unreconciled_bank_lines(client, login, accountant, journals, invoices):
    company = accountant.default_company
    year = services.fiscal_year_of(company=company, day=dt.date(2026, 3, 1))
    login(accountant)
    upload(client, journals, "statement.ofx", "ofx")
    refused = client.post(f"/finance/fiscal-years/{year.pk}/close/")
    assert refused.status_code == 422 and "bank statement lines" in refused.content.decode()


# Chart of accounts ----------------------------------------------------------------------------------


def test_account_create_and_edit_forms(client, login, accountant, accounts):
    login(accountant)
    group = accounts["6"]
    assert "/finance/accounts/new/" in client.get("/finance/accounts/").content.decode()
    # when an account is added under the expenses group
    response = client.post(
        "/finance/accounts/new/", {"code": "6650", "name": "Software", "type": "expense", "parent": group.pk, "role": ""}
    )
    assert response.status_code == 302
    account = Account.objects.get(company=accountant.default_company, code="6650")
    assert (account.name, account.parent_id) == ("Software", group.pk)
    # the same code again is refused on its field
    again = client.post("/finance/accounts/new/", {"code": "6650", "name": "Again", "type": "expense"})
    assert again.status_code == 422 and "Taken" in again.content.decode()
    # a parent of another type is refused
    wrong = client.post("/finance/accounts/new/", {"code": "6651", "name": "X", "type": "expense", "parent": accounts["1"].pk})
    assert wrong.status_code == 422
    # when it is renamed and deactivated
    edit = client.get(f"/finance/accounts/{account.pk}/edit/")
    assert "code" not in edit.context["form"].fields
    response = client.post(f"/finance/accounts/{account.pk}/edit/", {"name": "Software licences", "parent": group.pk})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.is_active) == ("Software licences", False)
    # management reads the chart but does not change it
    client.force_login(member(accountant.default_company, "management"))
    assert client.get("/finance/accounts/new/").status_code == 403
    assert client.post(f"/finance/accounts/{account.pk}/edit/", {"name": "x"}).status_code == 403
