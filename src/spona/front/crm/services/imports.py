"""CSV import of leads: a dry run shows each row's errors; the commit takes all rows or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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


def _read(text: str) -> list[ImportRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    if not {"contact_name", "company_name"} & set(headers):
        raise ValidationFailed(
            "The file needs a header row with contact_name or company_name.",
            field_errors={"file": [f"Columns: {', '.join(COLUMNS)}."]},
        )
    rows = []
    for raw in reader:
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        rows.append(ImportRow(line=reader.line_num, values={c: values.get(c, "") for c in COLUMNS}))
        if len(rows) > MAX_ROWS:
            raise ValidationFailed(f"Import at most {MAX_ROWS} rows at once.", field_errors={"file": ["Too many rows."]})
    return rows


@transaction.atomic
def lead_import(*, actor: User, company: Company, text: str, commit: bool) -> ImportReport:
    """Check (``commit=False``) or import the leads of a CSV text.

    Every row is validated like a lead entered by hand. A commit with any invalid row imports
    nothing and raises ValidationFailed; otherwise it creates every row, assigned and scored.
    """
    require(actor, "crm.manage", company)
    rows = _read(text)
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
