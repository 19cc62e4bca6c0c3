"""Reading bank statement files (CSV, CAMT.053, OFX)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from spona.back.finance.statements import parse_camt053, parse_csv, parse_ofx
from spona.core.errors import ValidationFailed

DATA = Path(__file__).parent / "data"


def test_camt053_gives_signed_amounts_partners_references_and_balances():
    statement = parse_camt053((DATA / "camt053.xml").read_bytes())
    assert statement.name == "STMT-2026-03" and statement.date == dt.date(2026, 3, 31)
    assert (statement.balance_start, statement.balance_end) == (D("1000.00"), D("1227.50"))
    first, fees = statement.lines
    assert (first.date, first.amount, first.partner_name, first.label, first.reference, first.transaction_id) == (
        dt.date(2026, 3, 10),
        D("240.00"),
        "Kupac d.o.o.",
        "Invoice SAL/2026/00002",
        "",
        "BANK-REF-1",
    )
    assert first.account_number == "RS35105008123123123173"
    assert (fees.amount, fees.label) == (D("-12.50"), "Account fees March")


def test_ofx_sgml_is_read():
    statement = parse_ofx((DATA / "statement.ofx").read_text())
    assert [(x.date, x.amount, x.transaction_id) for x in statement.lines] == [
        (dt.date(2026, 3, 10), D("240.00"), "OFX-1"),
        (dt.date(2026, 3, 31), D("-12.50"), "OFX-2"),
    ]
    assert statement.balance_end == D("1227.50")


def test_csv_with_separate_debit_and_credit_columns():
    text = "Date,Out,In,Who\n2026-03-10,,240.00,Kupac\n2026-03-31,12.50,,\n"
    statement = parse_csv(text, mapping={"date": "Date", "debit": "Out", "credit": "In", "partner_name": "Who"})
    assert [x.amount for x in statement.lines] == [D("240.00"), D("-12.50")]


def test_csv_errors_name_the_rows_and_nothing_is_returned():
    text = "Date,Amount\n2026-03-10,240.00\n31.03.2026,x\n"
    with pytest.raises(ValidationFailed) as caught:
        parse_csv(text, mapping={"date": "Date", "amount": "Amount"})
    assert set(caught.value.field_errors) == {"line 3"}


def test_csv_mapping_must_name_existing_columns():
    with pytest.raises(ValidationFailed, match="no column named 'Datum'"):
        parse_csv("Date,Amount\n", mapping={"date": "Datum", "amount": "Amount"})


@pytest.mark.parametrize("payload", [b"not xml", b"<?xml version='1.0'?><a/>", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'])
def test_bad_or_hostile_xml_is_refused_cleanly(payload):
    with pytest.raises(ValidationFailed):
        parse_camt053(payload)
