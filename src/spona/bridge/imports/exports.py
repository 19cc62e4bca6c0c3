"""Exports of the same kinds the importers read, with the same columns: CSV streamed row by row, or XLSX.

An exported file imports again unchanged. Rows come from the owning apps' selectors, which
check the reader's permission and keep to the company. Text that a spreadsheet would run as a
formula (=, @, +/- before letters) is written with a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import itertools
import re
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from spona.bridge.imports.services import importer_for
from spona.core.models import Company, User
from spona.core.permissions import require

FORMULA = re.compile(r"^[=@\t\r]|^[+-](?![\d\s().]*$)")
SPOOL_BYTES = 5_000_000


def _safe(value: Any) -> Any:
    if isinstance(value, str) and FORMULA.match(value):
        return "'" + value
    return value


def rows(*, actor: User, company: Company, kind: str) -> Iterator[list[Any]]:
    """The export's rows after its header; permission problems are raised here, before a response starts."""
    importer = importer_for(kind)
    require(actor, "imports.use", company)
    found = importer.export_rows(actor, company)
    # The selectors check permissions when first read: read the first row now, not mid-download.
    first = next(found, None)
    return itertools.chain([importer.export_header()], [] if first is None else [first], found)


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def csv_stream(*, actor: User, company: Company, kind: str) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with a BOM so that spreadsheet programs read the accents), line by line."""
    return _csv_lines(rows(actor=actor, company=company, kind=kind))


def _csv_lines(table: Iterator[list[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield "\ufeff".encode()
    for row in table:
        yield writer.writerow([_cell(v) for v in row]).encode()


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else _safe(value)


def xlsx_file(*, actor: User, company: Company, kind: str) -> IO[bytes]:
    """The export as a one-sheet workbook in a temporary file (kept in memory up to 5 MB), read from the start."""
    from openpyxl import Workbook

    table = rows(actor=actor, company=company, kind=kind)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind[:31])
    for row in table:
        sheet.append([_cell(v) if not isinstance(v, Decimal) else v for v in row])
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (the response closes it)
    book.save(target)
    target.seek(0)
    return target
