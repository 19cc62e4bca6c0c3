"""Cash-flow statement, journal audit and analytic reports, with exact figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.db.models import F

from spona.back.finance import selectors, services
from spona.back.finance.models import AccountBalance, AnalyticAccount
from spona.back.finance.services import LineIn
from spona.core.errors import ApplicationError, NotFound
from spona.core.services import sequence_next
from tests.back.finance.test_chain import _disable_guards
from tests.factories import CompanyFactory, member


def book(ledger, journals, accounts, day, debit, credit, amount, journal="GEN", **line):
    return services.entry_create(
        actor=None,
        company=ledger,
        journal_id=journals[journal].pk,
        date=day,
        post=True,
        memo=f"{debit} / {credit}",
        lines=[
            LineIn(account_id=accounts[debit].pk, debit=D(amount), **line),
            LineIn(account_id=accounts[credit].pk, credit=D(amount), **line),
        ],
    )


@pytest.fixture
def year_2026(ledger, accounts, journals):
    """A year of a small firm: capital, equipment, a half-paid invoice, depreciation, rent, a loan."""

    def b(day, debit, credit, amount):
        return book(ledger, journals, accounts, day, debit, credit, amount)

    b(dt.date(2025, 12, 20), "1000", "3000", "2000.00")  # cash before the year
    b(dt.date(2026, 1, 5), "1000", "3000", "10000.00")  # share capital paid in
    b(dt.date(2026, 2, 1), "1500", "1000", "4000.00")  # equipment bought
    services.entry_create(
        actor=None,
        company=ledger,
        journal_id=journals["SAL"].pk,
        date=dt.date(2026, 3, 1),
        post=True,
        lines=[
            LineIn(account_id=accounts["1100"].pk, debit=D("1200.00")),
            LineIn(account_id=accounts["4100"].pk, credit=D("1000.00")),
            LineIn(account_id=accounts["2100"].pk, credit=D("200.00")),
        ],
    )
    b(dt.date(2026, 3, 20), "1000", "1100", "700.00")  # the customer pays part
    b(dt.date(2026, 6, 30), "6700", "1590", "400.00")  # depreciation: an expense without cash
    b(dt.date(2026, 7, 1), "6100", "1010", "300.00")  # rent from the till
    b(dt.date(2026, 9, 15), "1000", "2500", "5000.00")  # bank loan
    return ledger


def test_cash_flow_explains_the_change_in_cash_by_the_indirect_method(year_2026, accounts):
    # given the year above
    # when the cash-flow statement of 2026 is drawn up
    report = selectors.cash_flow(user=None, company=year_2026, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    sections = {s.title: s for s in report.sections}
    # then the result of 300.00 (1,000 − 400 − 300) is corrected by the depreciation and the working capital
    assert [(r.name, r.amount) for r in sections["Result of the period"].rows] == [("Result of the period", D("300.00"))]
    assert [(r.code, r.amount) for r in sections["Non-cash items"].rows] == [("1590", D("400.00"))]
    assert [(r.code, r.amount) for r in sections["Changes in working capital"].rows] == [
        ("1100", D("-500.00")),
        ("2100", D("200.00")),
    ]
    assert report.operating == D("400.00")
    # and investing and financing are the equipment, the capital and the loan
    assert [(r.code, r.amount) for r in sections["Investing activities"].rows] == [("1500", D("-4000.00"))]
    assert [(r.code, r.amount) for r in sections["Financing activities"].rows] == [
        ("2500", D("5000.00")),
        ("3000", D("10000.00")),
    ]
    # and cash at the start plus the net change is the cash at the end
    assert (report.cash_start, report.result, report.cash_end) == (D("2000.00"), D("11400.00"), D("13400.00"))
    assert sum(s.total for s in report.sections) == report.result


def test_cash_flow_compares_with_the_previous_year(year_2026):
    # when 2026 is compared with 2025, whose only cash came from the capital
    report = selectors.cash_flow(
        user=None, company=year_2026, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), compare="previous_year"
    )
    # then each column adds up on its own
    assert (report.compare_from, report.compare_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (report.compare_cash_start, report.compare_result, report.compare_cash_end) == (D(0), D("2000.00"), D("2000.00"))
    financing = next(s for s in report.sections if s.title == "Financing activities")
    assert [(r.code, r.amount, r.compare) for r in financing.rows] == [
        ("2500", D("5000.00"), D(0)),
        ("3000", D("10000.00"), D("2000.00")),
    ]
    assert report.compare_operating == D(0)


def test_a_year_end_close_keeps_the_result_in_the_cash_flow(ledger, accounts, journals):
    # given 500.00 of services sold for cash in 2025, and 2025 closed into retained earnings
    book(ledger, journals, accounts, dt.date(2025, 6, 1), "1000", "4100", "500.00")
    year = services.fiscal_year_of(company=ledger, day=dt.date(2025, 6, 1))
    services.fiscal_year_close(actor=None, company=ledger, year_id=year.pk)
    # when the cash flow of 2025 is drawn up (the closing entry zeroes the income account on 31 December)
    report = selectors.cash_flow(user=None, company=ledger, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31))
    # then the result is still 500.00 and nothing else moved
    assert [r.amount for r in report.sections[0].rows] == [D("500.00")]
    assert [s.rows for s in report.sections[1:]] == [[], [], [], []]
    assert report.result == D("500.00")


def test_cash_flow_refuses_monthly_balances_that_disagree_with_cash(year_2026, accounts):
    # given a monthly balance of the bank changed behind the ledger's back
    AccountBalance.objects.filter(account=accounts["1000"], period=dt.date(2026, 9, 1)).update(debit_units=F("debit_units") + 1)
    # when the statement is drawn up, then it refuses to show figures that do not add up
    with pytest.raises(ApplicationError) as refused:
        selectors.cash_flow(user=None, company=year_2026, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    assert refused.value.code == "cash_flow_unbalanced"


def test_cash_flow_class_of_the_chart_can_be_changed(ledger, accounts):
    # given the generic chart, where the equipment is an investment
    assert accounts["1500"].cash_flow_class() == "investing" and accounts["1200"].cash_flow_class() == "working_capital"
    # when stock is declared an investment instead
    services.account_update(actor=None, company=ledger, account_id=accounts["1200"].pk, cash_flow="investing")
    # then it is one
    accounts["1200"].refresh_from_db()
    assert accounts["1200"].cash_flow_class() == "investing"


def audit_rows(ledger, journals, journal="GEN"):
    report = selectors.journal_audit(
        user=None, company=ledger, journal_id=journals[journal].pk, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31)
    )
    return report, list(report.rows)


def test_journal_audit_lists_the_entries_in_number_order_with_reversal_links(ledger, accountant, accounts, journals):
    # given three entries posted by the accountant, the second reversed
    entries = [
        services.entry_create(
            actor=accountant,
            company=ledger,
            journal_id=journals["GEN"].pk,
            date=dt.date(2026, 5, 3 - i),
            memo=f"Entry {i}",
            post=True,
            lines=[
                LineIn(account_id=accounts["6100"].pk, debit=D(10 + i)),
                LineIn(account_id=accounts["1000"].pk, credit=D(10 + i)),
            ],
        )
        for i in range(3)
    ]
    reversal = services.entry_reverse(actor=accountant, company=ledger, entry_id=entries[1].pk, date=dt.date(2026, 5, 10))
    # when the general journal of 2026 is audited
    report, rows = audit_rows(ledger, journals)
    # then the entries come by number (not by date), with totals, who posted them and the links
    assert [r.number for r in rows] == ["GEN/2026/00001", "GEN/2026/00002", "GEN/2026/00003", "GEN/2026/00004"]
    assert [r.date.day for r in rows] == [3, 2, 1, 10]
    assert [(r.debit, r.credit) for r in rows] == [(D(10), D(10)), (D(11), D(11)), (D(12), D(12)), (D(11), D(11))]
    assert {r.posted_by for r in rows} == {"Filip Finance"}
    assert rows[1].reversed_by == (reversal.pk, reversal.number) and rows[3].reversal_of == (entries[1].pk, entries[1].number)
    assert rows[2].previous_hash == rows[1].hash and len(rows[3].hash) == 64
    assert report.breaks == [] and [r.missing_before for r in rows] == [0, 0, 0, 0]


def test_journal_audit_flags_a_gap_but_not_numbers_dated_outside_the_period(ledger, accounts, journals):
    # given GEN/2026/00001 in May, 00002 in August, number 00003 taken and lost, 00004 in May
    def post(day):
        return book(ledger, journals, accounts, day, "6100", "1000", "5.00")

    post(dt.date(2026, 5, 1))
    post(dt.date(2026, 8, 1))
    with transaction.atomic():
        # A number burnt outside the posting service: the only way a gap can appear.
        sequence_next(company=ledger, code="finance.GEN.2026", prefix="GEN/2026/", padding=5)
    post(dt.date(2026, 5, 2))
    # when May alone is audited
    report = selectors.journal_audit(
        user=None, company=ledger, journal_id=journals["GEN"].pk, date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31)
    )
    rows = list(report.rows)
    # then 00004 is flagged for one missing number; 00002, dated in August, is no gap
    assert [(r.number, r.missing_before) for r in rows] == [("GEN/2026/00001", 0), ("GEN/2026/00004", 1)]


def test_journal_audit_flags_the_first_broken_entry_of_the_chain(ledger, accounts, journals):
    for day in (1, 2, 3):
        book(ledger, journals, accounts, dt.date(2026, 2, day), "1100", "4000", "10.00", journal="SAL")
    # given an attacker with database rights who changed the second entry's amount
    with connection.cursor() as cursor:
        _disable_guards(cursor)
        cursor.execute(
            "UPDATE finance_journalline SET debit = 11 WHERE debit = 10"
            " AND entry_id = (SELECT id FROM finance_journalentry WHERE number = 'SAL/2026/00002')"
        )
    # when the sales journal is audited
    report, rows = audit_rows(ledger, journals, "SAL")
    # then the break is reported, on the second entry
    assert [(b.number, b.position) for b in report.breaks] == [("SAL/2026/00002", 2)]
    assert [bool(r.chain_break) for r in rows] == [False, True, False]


def test_journal_audit_of_another_companys_journal_is_not_found(ledger, journals):
    other = CompanyFactory()
    with pytest.raises(NotFound):
        selectors.journal_audit(
            user=member(other, "finance"),
            company=other,
            journal_id=journals["GEN"].pk,
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
        )


def test_analytic_report_gives_income_and_expense_per_cost_centre_with_comparison(ledger, accounts, journals):
    # given two cost centres, and lines with and without them in 2025 and 2026
    shop = AnalyticAccount.objects.create(company=ledger, dimension="cost_centre", code="CC1", name="Shop")
    web = AnalyticAccount.objects.create(company=ledger, dimension="cost_centre", code="CC2", name="Web")
    AnalyticAccount.objects.create(company=ledger, dimension="project", code="P1", name="Launch")
    book(ledger, journals, accounts, dt.date(2026, 3, 1), "1000", "4000", "800.00", cost_centre_id=shop.pk)
    book(ledger, journals, accounts, dt.date(2026, 3, 2), "6100", "1000", "300.00", cost_centre_id=shop.pk)
    book(ledger, journals, accounts, dt.date(2026, 3, 3), "1000", "4100", "250.00", cost_centre_id=web.pk)
    book(ledger, journals, accounts, dt.date(2026, 3, 4), "6300", "1000", "40.00")
    book(ledger, journals, accounts, dt.date(2025, 3, 1), "1000", "4000", "100.00", cost_centre_id=shop.pk)
    # when the report of 2026 per cost centre is drawn up against 2025
    report = selectors.analytic_report(
        user=None,
        company=ledger,
        dimension="cost_centre",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 12, 31),
        compare="previous_year",
    )
    # then each centre has its income, expenses and result; lines without a centre come last
    assert [(r.code, r.name, r.income, r.expense, r.result, r.compare_result) for r in report.rows] == [
        ("CC1", "Shop", D("800.00"), D("300.00"), D("500.00"), D("100.00")),
        ("CC2", "Web", D("250.00"), D(0), D("250.00"), D(0)),
        ("", "Unassigned", D(0), D("40.00"), D("-40.00"), D(0)),
    ]
    # and the results add up to the profit and loss
    pl = selectors.profit_and_loss(user=None, company=ledger, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31))
    assert report.total("result") == pl.result == D("710.00")
    # and a row drills down to its lines
    lines = list(
        selectors.analytic_lines(
            user=None,
            company=ledger,
            dimension="cost_centre",
            analytic_id=shop.pk,
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 12, 31),
        )
    )
    assert [(x.account, x.debit, x.credit) for x in lines] == [
        ("4000 Sales of goods", D(0), D("800.00")),
        ("6100 Rent", D("300.00"), D(0)),
    ]
