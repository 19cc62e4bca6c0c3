"""Set up a company's ledger: chart of accounts from a CSV template, journals, taxes, lock settings."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from spona.back.finance.models import Account, Journal, LedgerSettings, Tax, TaxGroup
from spona.core import audit
from spona.core.errors import ApplicationError, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require

CHARTS = Path(__file__).resolve().parent.parent / "data" / "charts"
COLUMNS = ("code", "name", "type", "role", "parent", "is_group", "reconcilable")
# Optional: charts written before the cash-flow statement leave it out, and every account then
# takes the class its type and role imply.
OPTIONAL_COLUMNS = ("cash_flow",)
TRUE = {"true", "1", "yes"}


def chart_load_csv(*, company: Company, text: str) -> int:
    """Create the accounts of a chart template given as CSV (columns: ``COLUMNS``, optionally ``OPTIONAL_COLUMNS``).

    Return how many accounts were created.

    National charts are data: a CSV file with these columns. Every row is validated before
    anything is written; a bad row is reported with its line number.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed(f"The chart file lacks the columns: {', '.join(sorted(missing))}.")
    rows = list(reader)
    errors: dict[str, list[str]] = {}
    codes = {row["code"].strip() for row in rows}
    for number, row in enumerate(rows, start=2):
        if row["type"] not in Account.Type.values:
            errors.setdefault(f"line {number}", []).append(f"unknown type {row['type']!r}")
        if (row["role"] or "") not in Account.Role.values:
            errors.setdefault(f"line {number}", []).append(f"unknown role {row['role']!r}")
        if (row.get("cash_flow") or "") not in Account.CashFlow.values:
            errors.setdefault(f"line {number}", []).append(f"unknown cash-flow class {row['cash_flow']!r}")
        if row["parent"] and row["parent"] not in codes:
            errors.setdefault(f"line {number}", []).append(f"parent {row['parent']!r} is not in the file")
        if not row["code"].strip() or not row["name"].strip():
            errors.setdefault(f"line {number}", []).append("code and name are required")
    if errors:
        raise ValidationFailed("The chart file has errors; nothing was loaded.", field_errors=errors)
    existing = set(Account.objects.filter(company=company).values_list("code", flat=True))
    created: dict[str, Account] = {}
    for row in rows:
        code = row["code"].strip()
        if code in existing:
            continue
        created[code] = Account(
            company=company,
            code=code,
            name=row["name"].strip(),
            type=row["type"],
            role=row["role"] or "",
            cash_flow=(row.get("cash_flow") or "").strip(),
            is_group=row["is_group"].strip().lower() in TRUE,
            reconcilable=row["reconcilable"].strip().lower() in TRUE,
        )
    Account.objects.bulk_create(created.values())
    by_code = {a.code: a for a in Account.objects.filter(company=company)}
    for row in rows:
        code, parent = row["code"].strip(), row["parent"].strip()
        if code in created and parent:
            Account.objects.filter(pk=by_code[code].pk).update(parent=by_code[parent])
    return len(created)


JOURNALS = (
    ("SAL", "Customer invoices", Journal.Kind.SALES, None),
    ("PUR", "Vendor bills", Journal.Kind.PURCHASE, None),
    ("BNK", "Bank", Journal.Kind.BANK, "bank"),
    ("CSH", "Cash", Journal.Kind.CASH, "cash"),
    ("GEN", "General operations", Journal.Kind.GENERAL, None),
    ("FXR", "Exchange revaluation", Journal.Kind.FX_REVALUATION, None),
)


@transaction.atomic
def ledger_setup(*, actor: User | None, company: Company, chart: str = "generic", vat_rate: Decimal = Decimal(20)) -> None:
    """Give a company its chart of accounts, journals, standard VAT taxes and ledger settings.

    Runs once per company; raises ApplicationError when the company already has a chart.
    """
    if actor is not None:
        require(actor, "finance.manage_settings", company)
    if Account.objects.filter(company=company).exists():
        raise ApplicationError("This company already has a chart of accounts.", code="already_set_up")
    path = CHARTS / f"{chart}.csv"
    if not path.is_file():
        raise ValidationFailed(f"Unknown chart template {chart!r}.")
    chart_load_csv(company=company, text=path.read_text(encoding="utf-8"))
    by_role = {a.role: a for a in Account.objects.filter(company=company).exclude(role="")}
    Journal.objects.bulk_create(
        [
            Journal(company=company, code=code, name=name, kind=kind, default_account=by_role.get(role) if role else None)
            for code, name, kind, role in JOURNALS
        ]
    )
    group = TaxGroup.objects.create(company=company, name=f"VAT {vat_rate.normalize():f} %")
    Tax.objects.bulk_create(
        [
            Tax(
                company=company,
                name=f"VAT {vat_rate.normalize():f} %",
                use=Tax.Use.SALES,
                amount=vat_rate,
                group=group,
                account=by_role["tax_output"],
            ),
            Tax(
                company=company,
                name=f"VAT {vat_rate.normalize():f} %",
                use=Tax.Use.PURCHASE,
                amount=vat_rate,
                group=group,
                account=by_role["tax_input"],
            ),
        ]
    )
    LedgerSettings.objects.get_or_create(company=company)
    audit.record(actor=actor, target=company, action="ledger_set_up", changes={"chart": [None, chart]})
