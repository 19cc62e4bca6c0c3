"""Tamper evidence (QUALITY L3) and the balance invariant under random entries (QUALITY L1)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spona.back.finance import selectors, services
from spona.back.finance.models import JournalEntry, JournalLine, Tax
from spona.back.finance.services import LineIn
from spona.core.errors import ValidationFailed
from tests.factories import party

ENTRY_FIELDS = ["date", "number", "party_id", "chain_position", "hash", "previous_hash", "reversal_of_id"]
LINE_FIELDS = ["account_id", "party_id", "debit", "credit", "currency", "amount_currency", "tax_id", "entry_id"]


def _disable_guards(cursor) -> None:
    """Play the attacker with database rights: switch the immutability triggers off (rolled back after)."""
    if connection.vendor == "postgresql":
        # Fire the deferred balance checks of this transaction first; PostgreSQL will not alter a table with pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE finance_journalentry DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE finance_journalline DISABLE TRIGGER USER")
    else:
        for name in ("finance_entry_no_update", "finance_line_no_update", "finance_line_no_delete", "finance_entry_no_delete"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _tampered_value(field, value, rng, accounts, parties, entries, taxes):
    if field in ("debit", "credit", "amount_currency"):
        return value + D("0.01") * rng.choice([1, 7, 100])
    if field == "date":
        return value + dt.timedelta(days=rng.choice([1, -1]))
    if field in ("hash", "previous_hash"):
        return value[:-1] + ("0" if value[-1] != "0" else "1")
    if field == "currency":
        return "USD" if value != "USD" else "CHF"
    if field == "number":
        return value + "x"
    if field == "account_id":
        return rng.choice([a for a in accounts if a != value])
    if field == "party_id":
        return rng.choice([p for p in parties if p != value])
    if field == "chain_position":
        return value + 1000  # stays unique in the journal, so only the chain can notice
    if field in ("entry_id", "reversal_of_id"):
        return rng.choice([e for e in entries if e != value])
    if field == "tax_id":
        return taxes[0] if value is None else None
    raise AssertionError(field)


def test_one_thousand_random_single_field_tampers_are_all_detected(ledger, accounts, journals):
    # given 40 posted entries in two journals
    rng = random.Random(20261126)
    customers = [party(ledger, f"Customer {i}").pk for i in range(4)]
    entries = []
    for i in range(40):
        journal = journals["SAL" if i % 2 else "GEN"]
        amount = D(rng.randint(100, 999999)) / 100
        entries.append(
            services.entry_create(
                actor=None,
                company=ledger,
                journal_id=journal.pk,
                date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                party_id=rng.choice(customers),
                lines=[
                    LineIn(account_id=accounts["1100"].pk, debit=amount, party_id=rng.choice(customers)),
                    LineIn(account_id=accounts["4000"].pk, credit=amount),
                ],
                post=True,
            )
        )
    assert selectors.ledger_verify(company=ledger) == []
    account_ids = [a.pk for a in accounts.values()]
    entry_ids = [e.pk for e in entries]
    journal_of = {e.pk: e.journal.code for e in entries}
    tax_ids = list(Tax.objects.filter(company=ledger).values_list("pk", flat=True))
    detected = 0
    with connection.cursor() as cursor:
        _disable_guards(cursor)
        for _ in range(1000):
            # when one field of one posted entry or line is changed behind the ledger's back
            entry = rng.choice(entries)
            sid = transaction.savepoint()
            if rng.random() < 0.4:
                field = rng.choice(ENTRY_FIELDS)
                value = JournalEntry.objects.filter(pk=entry.pk).values_list(field, flat=True).get()
                new = _tampered_value(field, value, rng, account_ids, customers, entry_ids, tax_ids)
                cursor.execute(f"UPDATE finance_journalentry SET {field} = %s WHERE id = %s", [new, entry.pk])
            else:
                line = rng.choice(list(JournalLine.objects.filter(entry=entry).values("id", *LINE_FIELDS)))
                field = rng.choice(LINE_FIELDS)
                if field in ("debit", "credit") and line[field] == 0:
                    field = "credit" if field == "debit" else "debit"  # the check constraint keeps one side zero
                new = _tampered_value(field, line[field], rng, account_ids, customers, entry_ids, tax_ids)
                cursor.execute(f"UPDATE finance_journalline SET {field} = %s WHERE id = %s", [new, line["id"]])
            # then verify finds the break in the journal of the entry that was changed
            if selectors.ledger_verify(company=ledger, journal_code=journal_of[entry.pk]):
                detected += 1
            transaction.savepoint_rollback(sid)
    print(f"L3: 1000 single-field tampers, {detected} detected")
    assert detected == 1000


def test_verify_command_reports_the_first_broken_entry(ledger, accounts, journals, capsys):
    for i in range(3):
        services.entry_create(
            actor=None,
            company=ledger,
            journal_id=journals["SAL"].pk,
            date=dt.date(2026, 2, 1 + i),
            lines=[LineIn(account_id=accounts["1100"].pk, debit=D(10)), LineIn(account_id=accounts["4000"].pk, credit=D(10))],
            post=True,
        )
    call_command("finance", "verify", "--company", ledger.code)
    assert "intact" in capsys.readouterr().out
    with connection.cursor() as cursor:
        _disable_guards(cursor)
        cursor.execute(
            "UPDATE finance_journalline SET debit = 11 WHERE debit = 10"
            " AND entry_id = (SELECT id FROM finance_journalentry WHERE number = 'SAL/2026/00002')"
        )
    with pytest.raises(CommandError):
        call_command("finance", "verify", "--company", ledger.code)
    assert "SAL/2026/00002" in capsys.readouterr().out


amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@st.composite
def entry_specs(draw):
    debits = draw(st.lists(amounts, min_size=1, max_size=3))
    total = sum(debits)
    credits = [total] if draw(st.booleans()) else [total / 2, total - total / 2]
    credits = [c.quantize(D("0.01")) for c in credits]
    credits[-1] = total - sum(credits[:-1])
    unbalance = draw(st.sampled_from([D(0), D(0), D(0), D("0.01"), D("-5.00")]))
    credits[0] += unbalance
    return debits, credits


CODES = ["1000", "1100", "1200", "2000", "2100", "4000", "4100", "6100", "6300"]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(entry_specs(), min_size=20, max_size=20), st.randoms(use_true_random=False))
def test_random_entries_keep_the_ledger_balanced(ledger, accounts, journals, specs, rnd):
    # given 20 random entries per example, some of them unbalanced (50 examples: 1,000 entries a run)
    posted = []
    for debits, credits in specs:
        lines = [LineIn(account_id=accounts[rnd.choice(CODES)].pk, debit=d) for d in debits if d > 0]
        lines += [LineIn(account_id=accounts[rnd.choice(CODES)].pk, credit=c) for c in credits if c > 0]
        # when each is posted
        try:
            entry = services.entry_create(
                actor=None, company=ledger, journal_id=journals["GEN"].pk, date=dt.date(2026, 5, 5), lines=lines, post=True
            )
        except ValidationFailed:
            # then only an unbalanced one is refused
            assert sum(d for d in debits if d > 0) != sum(c for c in credits if c > 0)
            continue
        posted.append(entry.pk)
    # and every posted entry balances, and so does the whole ledger (QUALITY L1)
    unbalanced = [
        e.pk
        for e in JournalEntry.objects.filter(pk__in=posted).prefetch_related("lines")
        if sum(x.debit for x in e.lines.all()) != sum(x.credit for x in e.lines.all())
    ]
    assert unbalanced == []
    assert sum(r.balance for r in selectors.trial_balance(user=None, company=ledger)) == D(0)
    # and the monthly balances the reports read still equal the lines (checked every 10th example: it scans them all)
    if len(posted) % 10 == 0:
        assert selectors.balance_check(company=ledger) == []
