"""Finance export benchmark: a 100,000-line general ledger exported as CSV and as XLSX.

The ledger is bulk-loaded (50,000 posted entries, each a receivable and an income line, with the
monthly balances posting would keep), then the receivable account's general ledger is fetched
through the report page (``?export=csv`` and ``?export=xlsx``) as a browser would, reading the
streamed body chunk by chunk. Each format runs twice: once timed, once under tracemalloc for the
peak of Python allocations. ``ru_maxrss`` is the process's resident peak after each step (it only
grows, so each figure includes the steps before it). For scale, the peak of building the same
ledger as a list (``selectors.general_ledger``) is measured too.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import time
import tracemalloc
from decimal import Decimal
from typing import Any

from bench.finance import _ledger

Figures = dict[str, tuple[float, str]]
LINES = 100_000


def _load(company: Any, code: dict[str, Any], customers: list[Any]) -> float:
    """Bulk-load LINES posted lines on the receivable account (and as many income lines); return seconds."""
    from django.db import connection, transaction

    from spona.back.finance.models import AccountBalance, Journal, JournalEntry, JournalLine

    journal = Journal.objects.get(company=company, code="SAL")
    rng = random.Random(11)
    balances: dict[tuple[int, dt.date], list[int]] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Bulk rows skip the posting service; its guards would refuse lines added to posted entries.
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE finance_journalline DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS finance_line_no_insert")
    for start in range(0, LINES, 2_500):
        with transaction.atomic():
            entries = JournalEntry.objects.bulk_create(
                [
                    JournalEntry(
                        company=company,
                        journal=journal,
                        state="posted",
                        number=f"SAL/B/{n:06d}",
                        hash="h" * 64,
                        date=dt.date(2025, 1, 1) + dt.timedelta(days=n * 365 // LINES),
                        memo=f"Invoice {n:06d}",
                    )
                    for n in range(start, min(start + 2_500, LINES))
                ]
            )
            rows = []
            for entry in entries:
                amount = Decimal(rng.randint(1_000, 500_000)) / 100
                party = customers[entry.pk % len(customers)].pk
                for account, debit, credit, party_id in ((code["1100"].pk, amount, 0, party), (code["4100"].pk, 0, amount, None)):
                    rows.append(
                        JournalLine(
                            entry=entry,
                            company=company,
                            date=entry.date,
                            account_id=account,
                            party_id=party_id,
                            debit=debit,
                            credit=credit,
                            label=f"Line of {entry.memo}",
                        )
                    )
                    units = balances.setdefault((account, entry.date.replace(day=1)), [0, 0])
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
    return time.perf_counter() - started


def _maxrss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def general_ledger_export(**_: Any) -> Figures:
    """Time and peak memory of a 100,000-line general ledger exported as CSV and as XLSX."""
    from django.test import Client

    from spona.back.finance import selectors

    company, accountant, code, customers, _taxes = _ledger()
    load_seconds = _load(company, code, customers)
    client = Client()
    client.force_login(accountant)
    url = f"/finance/reports/general-ledger/?account={code['1100'].pk}&date_from=2025-01-01&date_to=2025-12-31&export="

    def fetch(kind: str) -> int:
        response = client.get(url + kind)
        if response.status_code != 200:
            raise RuntimeError(f"export {kind} answered {response.status_code}")
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
        return size

    figures: Figures = {"posted lines on the account": (LINES, ""), "bulk load": (load_seconds, "s")}
    fetch("csv")  # warm caches and connections; not counted
    base_rss = _maxrss_mb()
    figures["process peak RSS before exports"] = (base_rss, "MB")
    for kind in ("csv", "xlsx"):
        t0 = time.perf_counter()
        size = fetch(kind)
        seconds = time.perf_counter() - t0
        tracemalloc.start()
        fetch(kind)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        figures[f"{kind.upper()} time"] = (seconds, "s")
        figures[f"{kind.upper()} rate"] = (LINES / seconds, "lines/s")
        figures[f"{kind.upper()} size"] = (size / 1e6, "MB")
        figures[f"{kind.upper()} Python peak (tracemalloc)"] = (peak, "MB")
        figures[f"process peak RSS after {kind.upper()}"] = (_maxrss_mb(), "MB")
    tracemalloc.start()
    selectors.general_ledger(
        user=None, company=company, account_id=code["1100"].pk, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
    )
    figures["for scale: the ledger as a list, Python peak"] = (tracemalloc.get_traced_memory()[1] / 1e6, "MB")
    tracemalloc.stop()
    return figures
