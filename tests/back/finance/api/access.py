"""Finance records to attack and sample bodies for the API's route matrix (QUALITY SEC1) and fuzzer (A1).

``tests/api/test_object_access.py`` and ``tests/api/test_schemathesis.py`` take the finance
routes' path ids and bodies from here, so that they cover the finance router like the kernel's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from spona.back.finance import services
from spona.back.finance.models import Account, BankStatement, FiscalYear, Invoice, Journal, JournalEntry, Payment, Tax
from spona.back.finance.services import InvoiceLineIn, LineIn
from spona.core.models import Company
from tests.factories import party

SENTINEL = "Sentinel Victim"
API_GROUP = "finance"
PK_OF = {
    "finance:invoice_": "invoice_id",
    "finance:entry_": "entry_id",
    "finance:account_": "account_id",
    "finance:statement_": "statement_id",
    "finance:bank_line_": "line_id",
    "finance:fiscal_year_": "year_id",
}
DAY = dt.date(2026, 4, 1)


def records(company: Company, label: str = SENTINEL) -> dict[str, int]:
    """Set up the company's ledger with a draft invoice, a posted one, and a posted entry; return their ids."""
    if not Account.objects.filter(company=company).exists():
        services.ledger_setup(actor=None, company=company)
    accounts = {a.code: a.pk for a in Account.objects.filter(company=company)}
    journals = {j.code: j.pk for j in Journal.objects.filter(company=company)}
    customer = party(company, f"{label} Ledger Customer", roles=["customer"])
    vat = Tax.objects.get(company=company, use="sales").pk

    def invoice(reference: str) -> Invoice:
        return services.invoice_create(
            actor=None,
            company=company,
            kind="out_invoice",
            party_id=customer.pk,
            invoice_date=DAY,
            reference=reference,
            lines=[InvoiceLineIn(description=f"{label} line", account_id=accounts["4100"], unit_price=D("10"), tax_ids=[vat])],
        )

    draft = invoice(f"{label} draft")
    posted = services.invoice_post(actor=None, company=company, invoice_id=invoice(f"{label} posted").pk)
    entry = services.entry_create(
        actor=None,
        company=company,
        journal_id=journals["GEN"],
        date=DAY,
        memo=f"{label} entry",
        lines=[LineIn(account_id=accounts["6100"], debit=D(5)), LineIn(account_id=accounts["1000"], credit=D(5))],
        post=True,
    )
    statement = services.statement_import(
        actor=None,
        company=company,
        journal_id=journals["BNK"],
        file_format="csv",
        data=f"date,amount,text\n2026-04-03,7.50,{label} bank line\n".encode(),
        csv_mapping={"date": "date", "amount": "amount", "label": "text"},
    )
    return {
        "statement_id": statement.pk,
        "line_id": statement.lines.get().pk,
        "year_id": services.fiscal_year_of(company=company, day=DAY).pk,
        "account_id": accounts["6100"],
        "expense_group_id": accounts["6"],
        "invoice_id": draft.pk,
        "posted_invoice_id": posted.pk,
        "entry_id": entry.pk,
        "ledger_party_id": customer.pk,
        "bank_journal_id": journals["BNK"],
        "general_journal_id": journals["GEN"],
        "income_account_id": accounts["4100"],
        "bank_account_id": accounts["1000"],
    }


def _lines(ids: dict[str, int]) -> list[dict[str, Any]]:
    return [{"description": "Planted", "account_id": ids["income_account_id"], "unit_price": "1"}]


SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "create_finance_entry": lambda ids: {
        "journal_id": ids["general_journal_id"],
        "date": "2026-04-02",
        "memo": "Planted",
        "lines": [{"account_id": ids["income_account_id"], "debit": "1"}, {"account_id": ids["bank_account_id"], "credit": "1"}],
    },
    "reverse_finance_entry": lambda ids: {"reason": "Planted"},
    "import_finance_bank_statement": lambda ids: {
        "journal_id": ids["bank_journal_id"],
        "file_format": "csv",
        "csv_date_column": "date",
        "csv_amount_column": "amount",
        "file": SimpleUploadedFile("planted.csv", b"date,amount\n2026-04-04,1.00\n"),
    },
    "reconcile_finance_bank_statement_line": lambda ids: {"account_id": ids["income_account_id"]},
    "create_finance_account": lambda ids: {
        "code": "9999",
        "name": "Planted",
        "type": "expense",
        "parent_id": ids["expense_group_id"],
    },
    "update_finance_account": lambda ids: {"name": "Planted"},
    "create_finance_invoice": lambda ids: {
        "kind": "out_invoice",
        "party_id": ids["ledger_party_id"],
        "invoice_date": "2026-04-02",
        "reference": "Planted",
        "lines": _lines(ids),
    },
    "update_finance_invoice": lambda ids: {
        "version": 1,
        "party_id": ids["ledger_party_id"],
        "invoice_date": "2026-04-02",
        "reference": "Planted",
        "lines": _lines(ids),
    },
    "credit_finance_invoice": lambda ids: {"reason": "Planted"},
    "register_finance_payment": lambda ids: {
        "direction": "inbound",
        "party_id": ids["ledger_party_id"],
        "amount": "1.00",
        "journal_id": ids["bank_journal_id"],
        "date": "2026-04-02",
        "invoice_ids": [ids["posted_invoice_id"]],
        "reference": "Planted",
    },
}


def assert_untouched(ids: dict[str, int]) -> None:
    """Nothing the attackers sent changed the victim's ledger."""
    draft = Invoice.objects.get(pk=ids["invoice_id"])
    assert draft.is_draft() and draft.version == 1 and draft.reference == f"{SENTINEL} draft"
    assert not Invoice.objects.filter(reversal_of_id=ids["posted_invoice_id"]).exists()
    assert not JournalEntry.objects.filter(reversal_of_id=ids["entry_id"]).exists()
    assert not Invoice.objects.filter(reference="Planted").exists()
    assert not JournalEntry.objects.filter(memo="Planted").exists()
    assert not Payment.objects.filter(reference="Planted").exists()
    assert BankStatement.objects.filter(pk=ids["statement_id"]).get().lines.get().entry_id is None
    assert BankStatement.objects.filter(journal_id=ids["bank_journal_id"]).count() == 1
    assert not FiscalYear.objects.get(pk=ids["year_id"]).is_closed()
    victim_company = Journal.objects.get(pk=ids["bank_journal_id"]).company_id
    assert not Account.objects.filter(company_id=victim_company, name="Planted").exists()
