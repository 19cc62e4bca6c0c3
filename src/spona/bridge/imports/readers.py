"""Reading an uploaded file: CSV (delimiter and encoding sniffed) or the first sheet of an XLSX workbook.

Both give the same thing: the header row and, for each data row, its line number as the file
or sheet shows it and its cells as text, so every importer sees one shape.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from spona.core.errors import ValidationFailed

MAX_BYTES = 20_000_000
MAX_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
# Tried in this order: UTF-8 (with or without BOM) first; Windows-1250 and -1252 are what
# spreadsheet programs in central and western Europe save "CSV" as; Latin-1 accepts any byte.
ENCODINGS = ("utf-8-sig", "cp1250", "cp1252", "latin-1")
DELIMITERS = ",;\t|"


@dataclass
class SourceRow:
    """One data row: its line number in the file and its cells by column header."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    """What a file holds: its format, the header row, and its data rows (read lazily for a workbook)."""

    file_format: str
    headers: list[str]
    rows: list[SourceRow]


def file_format(content: bytes) -> str:
    """Tell an XLSX workbook (a ZIP package) from a CSV text by the first bytes."""
    return "xlsx" if content.startswith(XLSX_MAGIC) else "csv"


def read(content: bytes) -> Table:
    """Read a CSV or XLSX file; raises ValidationFailed for an empty, oversized or unreadable file."""
    if not content:
        raise ValidationFailed("The file is empty.", field_errors={"file": ["Choose a file with a header row."]})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(
            f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it.", field_errors={"file": ["Too large."]}
        )
    return _read_xlsx(content) if file_format(content) == "xlsx" else _read_csv(content)


def _decode(content: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _headers(cells: list[str]) -> list[str]:
    headers = [c.strip() for c in cells]
    if not any(headers):
        raise ValidationFailed("The first row must name the columns.", field_errors={"file": ["No header row."]})
    seen = [h for h in headers if h]
    if len({h.lower() for h in seen}) != len(seen):
        raise ValidationFailed("Two columns have the same name; rename one.", field_errors={"file": ["Duplicate column."]})
    return headers


def _too_many() -> ValidationFailed:
    return ValidationFailed(
        f"Import at most {MAX_ROWS:,} rows at once; split the file.", field_errors={"file": ["Too many rows."]}
    )


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = _headers(next(reader, []))
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            rows.append(SourceRow(reader.line_num, {h: c.strip() for h, c in zip(headers, cells, strict=False) if h}))
            if len(rows) > MAX_ROWS:
                raise _too_many()
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file cannot be read: {exc}.", field_errors={"file": ["Not a CSV file."]}) from None
    return Table("csv", headers, rows)


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person typed: 381601234567 not 381601234567.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed("This is not an Excel workbook (.xlsx).", field_errors={"file": ["Not an XLSX file."]}) from None
    try:
        numbered: Iterator[tuple[int, tuple[object, ...]]] = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        headers: list[str] = []
        for _, cells in numbered:
            if any(c not in (None, "") for c in cells):
                headers = _headers([cell_text(c) for c in cells])
                break
        if not headers:
            raise ValidationFailed("The first sheet is empty.", field_errors={"file": ["No header row."]})
        rows = []
        for number, cells in numbered:
            values = {h: cell_text(c) for h, c in zip(headers, cells, strict=False) if h}
            if not any(values.values()):
                continue
            rows.append(SourceRow(number, values))
            if len(rows) > MAX_ROWS:
                raise _too_many()
        return Table("xlsx", headers, rows)
    finally:
        book.close()


def match_key(text: str) -> str:
    """A header or label reduced for matching: "E-mail address" and "email_address" give the same key."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", plain)
