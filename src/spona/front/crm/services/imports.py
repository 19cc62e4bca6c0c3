"""CSV and XLSX import of leads: a dry run shows each row's errors; the commit takes all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from spona.core import audit
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.front.crm.models import Lead
from spona.front.crm.services.leads import LeadInput, _clean, _create

COLUMNS = ("contact_name", "company_name", "email", "phone", "country", "source", "notes")
MAX_ROWS = 5000


@dataclass
class ImportRow:
    """One data row of the file: its line number, its values and what is wrong with it."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import found (dry run) or did (commit): ``created`` is 0 on a dry run."""

    rows: list[ImportRow]
    created: int = 0

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _check_headers(headers: list[str]) -> None:
    if not {"contact_name", "company_name"} & set(headers):
        raise ValidationFailed(
            "The file needs a header row with contact_name or company_name.",
            field_errors={"file": [f"Columns: {', '.join(COLUMNS)}."]},
        )


def _too_many() -> ValidationFailed:
    return ValidationFailed(f"Import at most {MAX_ROWS} rows at once.", field_errors={"file": ["Too many rows."]})


def _read(text: str) -> list[ImportRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    _check_headers([h.strip().lower() for h in reader.fieldnames or []])
    rows = []
    for raw in reader:
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        rows.append(ImportRow(line=reader.line_num, values={c: values.get(c, "") for c in COLUMNS}))
        if len(rows) > MAX_ROWS:
            raise _too_many()
    return rows


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a person typed: 381601234567 not 381601234567.0, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[ImportRow]:
    """The rows of the workbook's first sheet below its header row, numbered as the sheet shows them."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed("This is not an Excel workbook (.xlsx).", field_errors={"file": ["Not an XLSX file."]}) from None
    try:
        # One numbered iterator for the header search and the data, so numbers stay the sheet's.
        numbered = enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        headers: list[str] = []
        for _, cells in numbered:
            if any(c not in (None, "") for c in cells):
                headers = [_cell(c).lower() for c in cells]
                break
        _check_headers(headers)
        rows = []
        for number, cells in numbered:
            values = {h: _cell(c) for h, c in zip(headers, cells, strict=False) if h}
            if not any(values.values()):
                continue
            rows.append(ImportRow(line=number, values={c: values.get(c, "") for c in COLUMNS}))
            if len(rows) > MAX_ROWS:
                raise _too_many()
        return rows
    finally:
        book.close()


@transaction.atomic
def lead_import(*, actor: User, company: Company, text: str, commit: bool) -> ImportReport:
    """Check (``commit=False``) or import the leads of a CSV text.

    Every row is validated like a lead entered by hand. A commit with any invalid row imports
    nothing and raises ValidationFailed; otherwise it creates every row, assigned and scored.
    """
    require(actor, "crm.manage", company)
    return _import(actor, company, _read(text), commit)


@transaction.atomic
def lead_import_xlsx(*, actor: User, company: Company, content: bytes, commit: bool) -> ImportReport:
    """Check or import the leads of an Excel workbook's first sheet, with the same columns and rules as CSV.

    Row numbers in the report are the sheet's. Raises ValidationFailed for a file that is no workbook.
    """
    require(actor, "crm.manage", company)
    return _import(actor, company, _read_xlsx(content), commit)


def _import(actor: User, company: Company, rows: list[ImportRow], commit: bool) -> ImportReport:
    cleaned = []
    for row in rows:
        data = LeadInput(**{k: v for k, v in row.values.items() if k != "source"})
        data.source = row.values["source"] or Lead.Source.IMPORT
        try:
            cleaned.append(_clean(company, data))
        except ValidationFailed as exc:
            row.errors = [f"{name}: {m}" for name, msgs in exc.field_errors.items() for m in msgs]
    report = ImportReport(rows=rows)
    if not commit:
        return report
    if report.error_count or not rows:
        raise ValidationFailed(
            f"{report.error_count} of {len(rows)} rows have errors; nothing was imported.",
            field_errors={"file": ["Fix the rows shown in the preview."]},
        )
    for values in cleaned:
        _create(company, values, actor)
    report.created = len(cleaned)
    audit.record(
        actor=actor, target=company, action="leads_imported", changes={"rows": [None, len(cleaned)]}, company_id=company.pk
    )
    return report
