"""Finance benchmarks: posting throughput against its floors, and reports over a large ledger.

``invoices``: customer invoices of 3 lines with 2 taxes, created and posted through the
services (validation, tax calculation, gapless numbers, hash chain, balances, events, audit),
beside two floors that write the same rows in the same two transactions per invoice: plain
SQL (the physical limit) and bare ORM ``create()`` calls with no business logic.

``reports``: trial balance, profit and loss, aged receivables, cash flow and the cost-centre report over a ledger of ``lines``
posted lines (bulk-loaded, with the monthly balances a real ledger would have).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import tracemalloc
from decimal import Decimal
from typing import Any

Figures = dict[str, tuple[float, str]]
DAY = dt.date(2026, 3, 2)


def _ledger() -> tuple[Any, Any, dict[str, Any], list[Any], Any]:
    from spona.back.finance import services
    from spona.back.finance.models import Account, Tax, TaxGroup
    from spona.core import services as core
    from spona.core.models import Party

    company = core.company_create(actor=None, name="Bench Books d.o.o.", code="bench-books", country="RS")
    accountant = core.user_create(
        actor=None, company=company, email="finance@bench.example", full_name="Bench Finance", roles=["finance"]
    )
    services.ledger_setup(actor=None, company=company)
    code = {a.code: a for a in Account.objects.filter(company=company)}
    vat20 = Tax.objects.get(company=company, use="sales")
    vat10 = Tax.objects.create(
        company=company,
        name="VAT 10 %",
        use="sales",
        amount=Decimal(10),
        group=TaxGroup.objects.create(company=company, name="VAT 10 %"),
        account=code["2100"],
    )
    customers = list(
        Party.objects.bulk_create([Party(company=company, kind="organisation", name=f"Customer {i:04d}") for i in range(200)])
    )
    return company, accountant, code, customers, (vat20, vat10)


def _lines(code: dict[str, Any], taxes: tuple[Any, Any]) -> list[Any]:
    from spona.back.finance.services import InvoiceLineIn

    vat20, vat10 = taxes
    return [
        InvoiceLineIn(
            description="Implementation day",
            account_id=code["4100"].pk,
            quantity=Decimal(3),
            unit_price=Decimal("640.00"),
            tax_ids=[vat20.pk],
        ),
        InvoiceLineIn(
            description="Scanner",
            account_id=code["4000"].pk,
            quantity=Decimal(2),
            unit_price=Decimal("129.90"),
            discount=Decimal(5),
            tax_ids=[vat20.pk],
        ),
        InvoiceLineIn(
            description="Manual", account_id=code["4000"].pk, quantity=Decimal(1), unit_price=Decimal("24.50"), tax_ids=[vat10.pk]
        ),
    ]


def invoices(*, count: int, **_: Any) -> Figures:
    """Invoices created and posted per second, and the two floors."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from spona.back.finance import services
    from spona.back.finance.models import Invoice, InvoiceLine, JournalEntry, JournalLine
    from spona.core.models import AuditEntry, Event, EventDelivery

    company, accountant, code, customers, taxes = _ledger()
    lines = _lines(code, taxes)

    def spona(i: int) -> None:
        draft = services.invoice_create(
            actor=accountant,
            company=company,
            kind="out_invoice",
            party_id=customers[i % len(customers)].pk,
            invoice_date=DAY,
            lines=lines,
        )
        services.invoice_post(actor=accountant, company=company, invoice_id=draft.pk)

    for i in range(10):
        spona(i)  # warm up
    with CaptureQueriesContext(connection) as captured:
        spona(10)
    queries = len(captured.captured_queries)
    started = time.perf_counter()
    for i in range(count):
        spona(i)
    spona_rate = count / (time.perf_counter() - started)

    # The bare ORM floor: the same rows, created one by one, in the same two transactions.
    through = InvoiceLine.taxes.through
    income = [code["4100"].pk, code["4000"].pk, code["4000"].pk]
    journal = company and __import__("spona.back.finance.models", fromlist=["Journal"]).Journal.objects.get(
        company=company, code="SAL"
    )

    def orm(i: int) -> None:
        party_id = customers[i % len(customers)].pk
        with transaction.atomic():
            invoice = Invoice.objects.create(
                company=company,
                kind="out_invoice",
                party_id=party_id,
                invoice_date=DAY,
                currency="EUR",
                untaxed=Decimal("2180.91"),
                tax=Decimal("431.74"),
                total=Decimal("2612.65"),
            )
            for n, account in enumerate(income):
                row = InvoiceLine.objects.create(
                    invoice=invoice, description="x", account_id=account, unit_price=Decimal(1), subtotal=Decimal(1), sequence=n
                )
                through.objects.create(invoiceline_id=row.pk, tax_id=taxes[0 if n < 2 else 1].pk)
            AuditEntry.objects.create(
                company=company, action="created", target_type="finance.invoice", target_id=str(invoice.pk), target_repr="x"
            )
        with transaction.atomic():
            entry = JournalEntry.objects.create(company=company, journal=journal, date=DAY, party_id=party_id)
            for account, debit, credit in [
                (code["1100"].pk, 1, 0),
                *[(a, 0, 1) for a in income],
                (code["2100"].pk, 0, 1),
                (code["2100"].pk, 0, 1),
            ]:
                JournalLine.objects.create(
                    entry=entry,
                    company=company,
                    date=DAY,
                    account_id=account,
                    debit=Decimal(debit * 5),
                    credit=Decimal(credit * 1),
                )
            event = Event.objects.create(
                name="finance.invoice_posted", company=company, party_id=party_id, payload={"invoice_id": invoice.pk}
            )
            EventDelivery.objects.create(event=event, handler="core.timeline")
            for action in ("posted", "posted"):
                AuditEntry.objects.create(
                    company=company, action=action, target_type="finance.journalentry", target_id=str(entry.pk), target_repr="x"
                )

    started = time.perf_counter()
    for i in range(count):
        orm(i)
    orm_rate = count / (time.perf_counter() - started)

    def raw(i: int) -> None:
        party_id = customers[i % len(customers)].pk
        now = "2026-03-02 10:00:00"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO finance_invoice (company_id, created_at, updated_at, kind, state, number, party_id, invoice_date, currency, exchange_rate,"
                " reference, notes, origin, untaxed, tax, total, version) VALUES (%s, %s, %s, 'out_invoice', 'draft', '', %s, %s, 'EUR', 1, '', '', '',"
                " 2180.91, 431.74, 2612.65, 1) RETURNING id",
                [company.pk, now, now, party_id, DAY],
            )
            invoice_id = cursor.fetchone()[0]
            for n, account in enumerate(income):
                cursor.execute(
                    "INSERT INTO finance_invoiceline (invoice_id, sequence, description, account_id, quantity, unit_price, discount, subtotal)"
                    " VALUES (%s, %s, 'x', %s, 1, 1, 0, 1) RETURNING id",
                    [invoice_id, n, account],
                )
                line_id = cursor.fetchone()[0]
                cursor.execute(
                    "INSERT INTO finance_invoiceline_taxes (invoiceline_id, tax_id) VALUES (%s, %s)",
                    [line_id, taxes[0 if n < 2 else 1].pk],
                )
            cursor.execute(
                "INSERT INTO core_auditentry (company_id, action, target_type, target_id, target_repr, changes, request_id, at)"
                " VALUES (%s, 'created', 'finance.invoice', %s, 'x', '{}', '', %s)",
                [company.pk, str(invoice_id), now],
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO finance_journalentry (company_id, created_at, updated_at, journal_id, state, number, date, reference, memo, party_id,"
                " source, hash, previous_hash) VALUES (%s, %s, %s, %s, 'draft', '', %s, '', '', %s, '', '', '') RETURNING id",
                [company.pk, now, now, journal.pk, DAY, party_id],
            )
            entry_id = cursor.fetchone()[0]
            for account in [code["1100"].pk, *income, code["2100"].pk, code["2100"].pk]:
                cursor.execute(
                    "INSERT INTO finance_journalline (entry_id, company_id, date, account_id, label, debit, credit, currency, amount_currency)"
                    " VALUES (%s, %s, %s, %s, '', 1, 0, '', 0)",
                    [entry_id, company.pk, DAY, account],
                )
            cursor.execute(
                "INSERT INTO core_event (uuid, name, company_id, party_id, payload, request_id, occurred_at)"
                " VALUES (%s, 'finance.invoice_posted', %s, %s, '{}', '', %s) RETURNING id",
                [f"{i:032x}", company.pk, party_id, now],
            )
            event_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO core_eventdelivery (event_id, handler, status, attempts, next_attempt_at, last_error)"
                " VALUES (%s, 'core.timeline', 'pending', 0, %s, '')",
                [event_id, now],
            )
            for _ in range(2):
                cursor.execute(
                    "INSERT INTO core_auditentry (company_id, action, target_type, target_id, target_repr, changes, request_id, at)"
                    " VALUES (%s, 'posted', 'finance.journalentry', %s, 'x', '{}', '', %s)",
                    [company.pk, str(entry_id), now],
                )

    started = time.perf_counter()
    for i in range(count):
        raw(i)
    raw_rate = count / (time.perf_counter() - started)
    return {
        "invoices": (count, ""),
        "Spona create + post": (spona_rate, "invoices/s"),
        "queries per invoice": (queries, ""),
        "bare ORM floor": (orm_rate, "invoices/s"),
        "raw SQL floor": (raw_rate, "invoices/s"),
        "Spona / bare ORM": (100 * spona_rate / orm_rate, "%"),
        "bare ORM / raw SQL": (100 * orm_rate / raw_rate, "%"),
    }


def reports(*, lines: int, **_: Any) -> Figures:
    """Trial balance, P&L and aged receivables over ``lines`` posted lines."""
    from django.db import connection, transaction

    from spona.back.finance import selectors
    from spona.back.finance.models import AccountBalance, Journal, JournalEntry, JournalLine

    company, _accountant, code, customers, _taxes = _ledger()
    journal = Journal.objects.get(company=company, code="SAL")
    rng = random.Random(7)
    per_entry = 4
    started = time.perf_counter()
    balances: dict[tuple[int, dt.date], list[int]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE finance_journalline DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS finance_line_no_insert")
    for start in range(0, lines // per_entry, 2_500):
        with transaction.atomic():
            entries = JournalEntry.objects.bulk_create(
                [
                    JournalEntry(
                        company=company,
                        journal=journal,
                        state="posted",
                        number=f"B/{n}",
                        hash="h" * 64,
                        date=dt.date(2024, 1, 1) + dt.timedelta(days=n % 900),
                    )
                    for n in range(start, min(start + 2_500, lines // per_entry))
                ]
            )
            rows = []
            for entry in entries:
                amount = Decimal(rng.randint(1_000, 500_000)) / 100
                tax = (amount * Decimal("0.2")).quantize(Decimal("0.01"))
                party = customers[entry.pk % len(customers)].pk
                for account, debit, credit, party_id in (
                    (code["1100"].pk, amount + tax, 0, party),
                    (code["4100"].pk, 0, amount, None),
                    (code["2100"].pk, 0, tax, None),
                    (code["6100"].pk, 0, 0, None),
                ):
                    if account == code["6100"].pk:
                        debit = credit = Decimal(0)
                    rows.append(
                        JournalLine(
                            entry=entry,
                            company=company,
                            date=entry.date,
                            account_id=account,
                            party_id=party_id,
                            debit=debit,
                            credit=credit,
                            due_date=entry.date + dt.timedelta(days=30) if party_id else None,
                        )
                    )
                    key = (account, entry.date.replace(day=1))
                    units = balances.setdefault(key, [0, 0])
                    units[0] += int(Decimal(debit) * 10_000)
                    units[1] += int(Decimal(credit) * 10_000)
            JournalLine.objects.bulk_create(rows, batch_size=5_000)
    AccountBalance.objects.bulk_create(
        [
            AccountBalance(company=company, account_id=a, period=p, debit_units=d, credit_units=c)
            for (a, p), (d, c) in balances.items()
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - started

    def timed(func: Any) -> float:
        func()
        t0 = time.perf_counter()
        func()
        return (time.perf_counter() - t0) * 1000

    tracemalloc.start()
    trial = timed(lambda: selectors.trial_balance(user=None, company=company))
    pnl = timed(
        lambda: selectors.profit_and_loss(
            user=None, company=company, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), compare="previous_year"
        )
    )
    pnl_partial = timed(
        lambda: selectors.profit_and_loss(
            user=None, company=company, date_from=dt.date(2025, 1, 15), date_to=dt.date(2025, 6, 14)
        )
    )
    aged = timed(lambda: selectors.aged_balances(user=None, company=company, on=dt.date(2026, 6, 30)))
    cash = timed(
        lambda: selectors.cash_flow(
            user=None, company=company, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31), compare="previous_year"
        )
    )
    # Per cost centre adds up the lines of the period themselves: no monthly balance is kept per dimension.
    analytic = timed(
        lambda: selectors.analytic_report(
            user=None, company=company, dimension="cost_centre", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
        )
    )
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return {
        "posted lines": (lines, ""),
        "bulk load": (load_seconds, "s"),
        "trial balance": (trial, "ms"),
        "P&L year with comparison": (pnl, "ms"),
        "P&L partial months": (pnl_partial, "ms"),
        "aged receivables": (aged, "ms"),
        "cash flow year with comparison": (cash, "ms"),
        "income and expenses per cost centre, a year": (analytic, "ms"),
        "peak Python memory (reports)": (peak, "MB"),
    }
