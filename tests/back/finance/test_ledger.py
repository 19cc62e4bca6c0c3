"""The ledger's promises: balanced, immutable, numbered without gaps, reversible, locked (QUALITY L1–L5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from spona.back.finance import selectors, services
from spona.back.finance.models import Account, JournalEntry, JournalLine
from spona.back.finance.models.ledger import PostedEntryError
from spona.back.finance.services import LineIn
from spona.core.errors import PermissionDenied, StateError, ValidationFailed
from tests.factories import member, party

DAY = dt.date(2026, 3, 15)


def sale(accounts, amount="120.00", party_id=None):
    return [
        LineIn(account_id=accounts["1100"].pk, debit=D(amount), party_id=party_id),
        LineIn(account_id=accounts["4000"].pk, credit=D(amount)),
    ]


def post(ledger, journals, accounts, amount="120.00", date=DAY, actor=None):
    return services.entry_create(
        actor=actor, company=ledger, journal_id=journals["SAL"].pk, date=date, lines=sale(accounts, amount), post=True
    )


def test_posting_numbers_chains_and_publishes(ledger, accountant, accounts, journals):
    # given a balanced draft
    entry = services.entry_create(actor=accountant, company=ledger, journal_id=journals["SAL"].pk, date=DAY, lines=sale(accounts))
    assert entry.is_draft() and entry.number == ""
    # when it is posted
    posted = services.entry_post(actor=accountant, company=ledger, entry_id=entry.pk)
    # then it has the first number of its journal and year and starts the chain
    assert posted.number == "SAL/2026/00001"
    assert posted.chain_position == 1 and len(posted.hash) == 64
    assert selectors.ledger_verify(company=ledger) == []


def test_unbalanced_entry_is_refused_and_nothing_is_posted(ledger, accountant, accounts, journals):
    lines = [LineIn(account_id=accounts["1100"].pk, debit=D("100.00")), LineIn(account_id=accounts["4000"].pk, credit=D("99.99"))]
    entry = services.entry_create(actor=accountant, company=ledger, journal_id=journals["GEN"].pk, date=DAY, lines=lines)
    with pytest.raises(ValidationFailed, match="does not balance"):
        services.entry_post(actor=accountant, company=ledger, entry_id=entry.pk)
    assert JournalEntry.objects.get(pk=entry.pk).is_draft()


def test_amounts_finer_than_the_currency_are_refused(ledger, accounts, journals):
    lines = [LineIn(account_id=accounts["1100"].pk, debit=D("1.005")), LineIn(account_id=accounts["4000"].pk, credit=D("1.005"))]
    with pytest.raises(ValidationFailed):
        services.entry_create(actor=None, company=ledger, journal_id=journals["GEN"].pk, date=DAY, lines=lines)


def test_foreign_accounts_and_parties_are_refused(ledger, other_company, accounts, journals):
    services.ledger_setup(actor=None, company=other_company)
    foreign_account = Account.objects.get(company=other_company, code="4000")
    foreign_party = party(other_company, "Foreign Customer")
    with pytest.raises(ValidationFailed) as caught:
        services.entry_create(
            actor=None,
            company=ledger,
            journal_id=journals["GEN"].pk,
            date=DAY,
            lines=[
                LineIn(account_id=accounts["1100"].pk, debit=D(1), party_id=foreign_party.pk),
                LineIn(account_id=foreign_account.pk, credit=D(1)),
            ],
        )
    assert "account" in str(caught.value.field_errors) and "party" in str(caught.value.field_errors)


def test_only_finance_can_post(ledger, accounts, journals):
    clerk = member(ledger, "sales")
    with pytest.raises(PermissionDenied):
        services.entry_create(actor=clerk, company=ledger, journal_id=journals["GEN"].pk, date=DAY, lines=sale(accounts))


def test_posted_entries_are_immutable_through_every_orm_path(ledger, accounts, journals):
    # given a posted entry
    entry = post(ledger, journals, accounts)
    line = entry.lines.first()
    # then model save/delete, queryset update/delete and line changes are all refused (QUALITY L2)
    entry.memo = "changed"
    # A refused save is refused by its UPDATE, so it aborts its transaction as a database error would.
    with pytest.raises(PostedEntryError), transaction.atomic():
        entry.save()
    with pytest.raises(PostedEntryError):
        entry.delete()
    with pytest.raises(PostedEntryError):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="changed")
    with pytest.raises(PostedEntryError):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    line.debit = D("1.00")
    with pytest.raises(PostedEntryError):
        line.save()
    with pytest.raises(PostedEntryError):
        JournalLine.objects.filter(entry=entry).update(debit=D(0))
    with pytest.raises(PostedEntryError):
        JournalLine.objects.filter(entry=entry).delete()
    assert JournalEntry.objects.get(pk=entry.pk).memo == ""
    print("L2 ORM paths: 7 attempts, 0 rows changed")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE finance_journalentry SET memo = 'x' WHERE id = %s",
        "DELETE FROM finance_journalentry WHERE id = %s",
        "UPDATE finance_journalline SET debit = 0 WHERE entry_id = %s",
        "DELETE FROM finance_journalline WHERE entry_id = %s",
    ],
)
def test_raw_sql_cannot_change_a_posted_entry(ledger, accounts, journals, statement):
    entry = post(ledger, journals, accounts)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    assert JournalLine.objects.filter(entry=entry).count() == 2
    assert JournalEntry.objects.get(pk=entry.pk).memo == ""


def test_raw_sql_cannot_add_a_line_to_a_posted_entry(ledger, accounts, journals):
    entry = post(ledger, journals, accounts)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO finance_journalline"
            " (entry_id, company_id, date, account_id, label, debit, credit, currency, amount_currency)"
            " VALUES (%s, %s, %s, %s, '', 5, 0, '', 0)",
            [entry.pk, ledger.pk, DAY, accounts["1100"].pk],
        )


def test_database_refuses_to_post_an_unbalanced_entry(on_postgres, ledger, accounts, journals):
    # given a draft that a buggy or malicious path unbalances and marks posted behind the service's back
    entry = services.entry_create(actor=None, company=ledger, journal_id=journals["GEN"].pk, date=DAY, lines=sale(accounts))
    # when the transaction commits (the deferred constraint trigger fires at commit, QUALITY L1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE finance_journalline SET debit = 1 WHERE entry_id = %s AND debit > 0", [entry.pk])
        cursor.execute("UPDATE finance_journalentry SET state = 'posted', number = 'X/1', hash = 'h' WHERE id = %s", [entry.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # then it stays a draft
    assert JournalEntry.objects.get(pk=entry.pk).is_draft()


def test_numbers_are_consecutive_per_journal_and_year(ledger, accounts, journals):
    numbers = [post(ledger, journals, accounts).number for _ in range(3)]
    numbers.append(post(ledger, journals, accounts, date=dt.date(2027, 1, 2)).number)
    assert numbers == ["SAL/2026/00001", "SAL/2026/00002", "SAL/2026/00003", "SAL/2027/00001"]


def test_a_failed_post_gives_its_number_back(ledger, accounts, journals):
    post(ledger, journals, accounts)
    bad = [LineIn(account_id=accounts["1100"].pk, debit=D(2)), LineIn(account_id=accounts["4000"].pk, credit=D(1))]
    with pytest.raises(ValidationFailed):
        services.entry_create(actor=None, company=ledger, journal_id=journals["SAL"].pk, date=DAY, lines=bad, post=True)
    assert post(ledger, journals, accounts).number == "SAL/2026/00002"


def test_reversal_nets_to_zero_and_links_the_original(ledger, accountant, accounts, journals):
    entry = post(ledger, journals, accounts, amount="250.00")
    reversal = services.entry_reverse(actor=accountant, company=ledger, entry_id=entry.pk, reason="wrong customer")
    assert reversal.reversal_of_id == entry.pk and reversal.date == entry.date
    assert selectors.account_balance(company=ledger, account_id=accounts["1100"].pk) == D(0)
    with pytest.raises(StateError):
        services.entry_reverse(actor=accountant, company=ledger, entry_id=entry.pk)


def test_reversal_of_a_locked_period_is_dated_today(ledger, accountant, accounts, journals, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC))
    entry = post(ledger, journals, accounts)
    services.lock_dates_set(actor=accountant, company=ledger, hard=dt.date(2026, 3, 31))
    reversal = services.entry_reverse(actor=accountant, company=ledger, entry_id=entry.pk)
    assert reversal.date == dt.date(2026, 6, 1)


def test_nothing_can_be_posted_on_or_before_a_lock_date(ledger, accountant, accounts, journals):
    services.lock_dates_set(actor=accountant, company=ledger, soft=DAY)
    with pytest.raises(ValidationFailed, match="locked"):
        post(ledger, journals, accounts, date=DAY)
    assert post(ledger, journals, accounts, date=DAY + dt.timedelta(days=1)).is_posted()


def test_the_hard_lock_never_moves_back(ledger, accountant):
    services.lock_dates_set(actor=accountant, company=ledger, hard=DAY)
    with pytest.raises(ValidationFailed, match="never moves back"):
        services.lock_dates_set(actor=accountant, company=ledger, hard=DAY - dt.timedelta(days=1))


def test_a_lock_date_cannot_strand_a_draft(ledger, accountant, accounts, journals):
    services.entry_create(actor=None, company=ledger, journal_id=journals["GEN"].pk, date=DAY, lines=sale(accounts))
    with pytest.raises(ValidationFailed, match="draft"):
        services.lock_dates_set(actor=accountant, company=ledger, hard=DAY)


def test_trial_balance_sums_to_zero(ledger, accountant, accounts, journals):
    post(ledger, journals, accounts, "100.00")
    post(ledger, journals, accounts, "23.45")
    rows = selectors.trial_balance(user=accountant, company=ledger)
    assert sum(r.balance for r in rows) == D(0)
    assert {r.code: r.balance for r in rows} == {"1100": D("123.45"), "4000": D("-123.45")}


def test_trial_balance_for_any_date_range_equals_the_lines(ledger, accountant, accounts, journals):
    # given entries spread over three months
    for day, amount in [
        (dt.date(2026, 1, 31), "10.00"),
        (dt.date(2026, 2, 1), "20.00"),
        (dt.date(2026, 2, 15), "40.00"),
        (dt.date(2026, 3, 2), "80.00"),
    ]:
        post(ledger, journals, accounts, amount, date=day)
    assert selectors.balance_check(company=ledger) == []

    def receivable(**dates):
        rows = selectors.trial_balance(user=accountant, company=ledger, **dates)
        return next((r.balance for r in rows if r.code == "1100"), D(0))

    # then whole months, partial months and open ends all agree with the lines
    assert receivable() == D("150.00")
    assert receivable(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28)) == D("60.00")
    assert receivable(date_from=dt.date(2026, 2, 2), date_to=dt.date(2026, 3, 1)) == D("40.00")
    assert receivable(date_from=dt.date(2026, 1, 31), date_to=dt.date(2026, 2, 14)) == D("30.00")
    assert receivable(date_to=dt.date(2026, 2, 15)) == D("70.00")
    assert receivable(date_from=dt.date(2026, 2, 16)) == D("80.00")
    assert receivable(date_from=dt.date(2026, 2, 10), date_to=dt.date(2026, 2, 20)) == D("40.00")


def test_accounts_can_be_added_and_renamed_but_code_and_type_stay(ledger, accountant, accounts):
    account = services.account_create(
        actor=accountant,
        company=ledger,
        code="6210",
        name="Internet",
        type="expense",
        parent_id=Account.objects.get(company=ledger, code="6").pk,
    )
    assert account.parent.code == "6"
    with pytest.raises(ValidationFailed, match="code"):
        services.account_create(actor=accountant, company=ledger, code="6210", name="Again", type="expense")
    with pytest.raises(ValidationFailed, match="own type"):
        services.account_create(
            actor=accountant,
            company=ledger,
            code="6220",
            name="Odd",
            type="asset",
            parent_id=Account.objects.get(company=ledger, code="6").pk,
        )
    renamed = services.account_update(actor=accountant, company=ledger, account_id=account.pk, name="Internet and phone")
    assert renamed.name == "Internet and phone"
    with pytest.raises(ValidationFailed, match="cannot be changed"):
        services.account_update(actor=accountant, company=ledger, account_id=account.pk, code="9999")
