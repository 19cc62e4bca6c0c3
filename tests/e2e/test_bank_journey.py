"""A bank statement in a real browser: import the CAMT.053 file, reconcile automatically, book the fee, all reconciled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from spona.back.finance import services
from spona.back.finance.models import Account, BankStatementLine, Tax
from spona.back.finance.services import InvoiceLineIn
from tests.e2e.test_invoice_journey import SCREENSHOTS, flushable_ledger  # noqa: F401  (a fixture)
from tests.factories import CompanyFactory, member, party

CAMT053 = Path(__file__).resolve().parent.parent / "back" / "finance" / "data" / "camt053.xml"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_import_camt053_reconcile_automatically_and_book_the_fee(live_server, flushable_ledger, page: Page):  # noqa: F811
    # given a ledger with SAL/2026/00002 open for 240.00 (the statement pays it) and a finance user
    company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
    user = member(company, "finance", full_name="Filip Finance", email="filip@acme.test")
    services.ledger_setup(actor=None, company=company)
    customer = party(company, "Kupac d.o.o.", roles=["customer"])
    income = Account.objects.get(company=company, code="4100")
    vat = Tax.objects.get(company=company, use="sales")
    for day, price in ((dt.date(2026, 3, 1), "300.00"), (dt.date(2026, 3, 2), "200.00")):
        draft = services.invoice_create(
            actor=None,
            company=company,
            kind="out_invoice",
            party_id=customer.pk,
            invoice_date=day,
            lines=[InvoiceLineIn(description="Support", account_id=income.pk, unit_price=D(price), tax_ids=[vat.pk])],
        )
        services.invoice_post(actor=None, company=company, invoice_id=draft.pk)
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    menu = page.get_by_role("navigation", name="Main menu")

    # when she imports the March CAMT.053 file into the bank journal
    menu.get_by_role("link", name="Bank statements").click()
    page.get_by_role("link", name="Import", exact=True).first.click()
    page.locator("#id_file_format").select_option("camt053")
    page.locator("#id_file").set_input_files(str(CAMT053))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("The statement is imported.")).to_be_visible()
    expect(page.locator("#open-count")).to_have_text("2 lines to reconcile")
    expect(page.get_by_role("button", name="SAL/2026/00002")).to_be_visible()

    # and reconciles automatically: the payment of SAL/2026/00002 is matched
    page.get_by_role("button", name="Reconcile automatically").click()
    expect(page.get_by_text("1 lines reconciled automatically.")).to_be_visible()
    expect(page.locator("#open-count")).to_have_text("1 line to reconcile")

    # and books the bank fee to 6600 Bank charges
    fee = page.locator('tr[data-reconciled="no"]')
    fee.locator("select").select_option(label="6600 Bank charges")
    fee.get_by_role("button", name="Book").click()

    # then every line is reconciled
    expect(page.locator("#open-count")).to_have_text("All lines reconciled")
    expect(page.locator('tr[data-reconciled="no"]')).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "bank-statement-reconciled.png"), full_page=True)
    assert not BankStatementLine.objects.filter(entry__isnull=True).exists()
    assert csp_violations == []
