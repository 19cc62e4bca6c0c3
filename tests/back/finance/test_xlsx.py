"""The XLSX writer of the report exports: what openpyxl reads back from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from openpyxl import load_workbook

from spona.back.finance.exports import AMOUNT, DATE, Column, Table, xlsx_file


def test_cells_come_back_as_text_numbers_and_dates_with_their_formats():
    # given a table with awkward text: markup, a control character, a would-be formula, a sheet-name breaker
    rows = [
        [dt.date(2026, 2, 28), "<b>Tom & Jerry</b>\x07", D("1234.5600"), None],
        [None, "=SUM(A1)", D("-0.01"), "  spaced  "],
        [dt.date(1999, 12, 31), "Ћирилица", D("0E-4"), "x"],
    ]
    columns = [Column("Date", DATE), Column("Label"), Column("Amount", AMOUNT), Column("Note")]
    table = Table("Ledger: 1100/2026 [all]", "2026", dt.date(2026, 12, 31), "EUR", columns, iter(rows), "Acme & Co")
    # when it is written and read back
    workbook = load_workbook(xlsx_file(table))
    sheet = workbook.active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    # then the header rows, the text (escaped, cleaned, formula-proof), the numbers and dates are as given
    assert values[0] == ["Acme & Co", "Ledger: 1100/2026 [all]", "2026", "EUR"]
    assert values[1] == ["Date", "Label", "Amount", "Note"]
    assert values[2] == [dt.datetime(2026, 2, 28), "<b>Tom & Jerry</b>", 1234.56, None]
    assert values[3] == [None, "'=SUM(A1)", -0.01, "  spaced  "]
    assert values[4] == [dt.datetime(1999, 12, 31), "Ћирилица", 0, "x"]
    assert sheet["C3"].number_format == "#,##0.00" and sheet["A3"].number_format == "yyyy\\-mm\\-dd"
    # and the sheet's name is the title without the characters a sheet name cannot hold; the properties carry no clock
    assert sheet.title == "Ledger  1100 2026  all "
    assert workbook.properties.creator == "Spona" and workbook.properties.created == dt.datetime(2026, 12, 31)
