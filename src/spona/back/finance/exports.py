"""Report exports: one table shape, written as CSV, XLSX or PDF, streamed and reproducible.

Each report becomes a ``Table`` (a title, columns and an iterator of rows) so the three formats
always say the same. CSV is streamed row by row. XLSX rows are written straight into a ZIP
member of a temporary file (``spona.back.finance.xlsx``), and the finished workbook is served
from disk; a 100,000-line general ledger never sits in memory. Files carry no clock time:
workbook properties, the ZIP members' dates and the PDF metadata come from the report's own
date, so exporting the same closed period twice gives the same bytes (QUALITY L6).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from spona.back.finance import xlsx
from spona.back.finance.selectors.analytic import AnalyticReport
from spona.back.finance.selectors.audit import JournalAudit
from spona.back.finance.selectors.reports import OPERATING, AgedReport, CashFlowStatement, LedgerLine, Statement, TaxRow
from spona.core.money import round_amount

FORMATS = ("csv", "xlsx", "pdf")
TEXT, DATE, AMOUNT = "text", "date", "amount"


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Table:
    """A report as rows of cells; ``rows`` may be a generator read once by the writer."""

    title: str
    period: str
    stamp: dt.date
    currency: str
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    company: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{slugify(self.title)}-{self.stamp.isoformat()}"


def _period(date_from: dt.date | None, date_to: dt.date) -> str:
    return f"{date_from.isoformat()} – {date_to.isoformat()}" if date_from else f"{date_to.isoformat()}"


# Reports as tables ------------------------------------------------------------------------------


def statement_table(report: Statement, *, currency: str, company: str, labels: dict[str, str]) -> Table:
    """Profit and loss or balance sheet: a row per account, a total per section, the result last."""
    compare = report.compare_to is not None
    columns = [Column(labels["code"]), Column(labels["account"]), Column(_period(report.date_from, report.date_to), AMOUNT)]
    if compare:
        columns.append(Column(_period(report.compare_from, report.compare_to), AMOUNT))  # type: ignore[arg-type]

    def rows() -> Iterator[list[Any]]:
        for section in report.sections:
            yield ["", labels.get(section.title, section.title), None, *([None] if compare else [])]
            for row in section.rows:
                yield [row.code, labels.get(row.name, row.name), row.amount, *([row.compare] if compare else [])]
            total = labels["total"] + " " + labels.get(section.title, section.title)
            yield ["", total, section.total, *([section.compare_total] if compare else [])]
        result = labels.get(report.result_label, report.result_label)
        yield ["", result, report.result, *([report.compare_result] if compare else [])]

    title = labels.get(report.title, report.title)
    return Table(title, _period(report.date_from, report.date_to), report.date_to, currency, columns, rows(), company)


def cash_flow_table(report: CashFlowStatement, *, currency: str, company: str, labels: dict[str, str]) -> Table:
    """The cash-flow statement: its sections, the operating subtotal, the net change between cash at start and end."""
    compare = report.compare_to is not None
    columns = [Column(labels["code"]), Column(labels["account"]), Column(_period(report.date_from, report.date_to), AMOUNT)]
    if compare:
        columns.append(Column(_period(report.compare_from, report.compare_to), AMOUNT))  # type: ignore[arg-type]

    def line(label: str, value: Decimal | None, other: Decimal | None) -> list[Any]:
        return ["", labels.get(label, label), value, *([other] if compare else [])]

    def rows() -> Iterator[list[Any]]:
        for index, section in enumerate(report.sections):
            yield line(section.title, None, None)
            for row in section.rows:
                yield [row.code, labels.get(row.name, row.name), row.amount, *([row.compare] if compare else [])]
            yield line(labels["total"] + " " + labels.get(section.title, section.title), section.total, section.compare_total)
            if index == len(OPERATING) - 1:
                yield line("Net cash from operating activities", report.operating, report.compare_operating)
        yield line(report.result_label, report.result, report.compare_result)
        yield line("Cash at the start", report.cash_start, report.compare_cash_start)
        yield line("Cash at the end", report.cash_end, report.compare_cash_end)

    title = labels.get(report.title, report.title)
    return Table(title, _period(report.date_from, report.date_to), report.date_to, currency, columns, rows(), company)


def journal_audit_table(report: JournalAudit, *, currency: str, company: str, labels: dict[str, str]) -> Table:
    """A journal's posted entries in number order with who posted them, the links, the hashes and the flags."""
    columns = [
        Column(labels["position"]),
        Column(labels["date"], DATE),
        Column(labels["entry"]),
        Column(labels["memo"]),
        Column(labels["debit"], AMOUNT),
        Column(labels["credit"], AMOUNT),
        Column(labels["posted_by"]),
        Column(labels["posted_at"]),
        Column(labels["reversal_of"]),
        Column(labels["reversed_by"]),
        Column(labels["hash"]),
        Column(labels["findings"]),
    ]

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            yield [
                str(row.position),
                row.date,
                row.number,
                row.memo,
                row.debit,
                row.credit,
                row.posted_by,
                row.posted_at.isoformat(timespec="seconds") if row.posted_at else "",
                row.reversal_of[1] if row.reversal_of else "",
                row.reversed_by[1] if row.reversed_by else "",
                row.hash,
                audit_findings(row.missing_before, row.chain_break, labels),
            ]

    title = f"{labels['journal_audit']} {report.journal}"
    return Table(title, _period(report.date_from, report.date_to), report.date_to, currency, columns, rows(), company)


def audit_findings(missing_before: int, chain_break: str, labels: dict[str, str]) -> str:
    """What the auditor must look at on one entry, in words."""
    found = []
    if missing_before:
        found.append(labels["missing_numbers"].format(count=missing_before))
    if chain_break:
        found.append(labels["chain_break"].format(reason=chain_break))
    return "; ".join(found)


def analytic_table(report: AnalyticReport, *, currency: str, company: str, labels: dict[str, str]) -> Table:
    """Income, expenses and result per cost centre or project, the comparison's result beside them."""
    compare = report.compare_to is not None
    columns = [
        Column(labels["code"]),
        Column(labels[report.dimension]),
        Column(labels["Income"], AMOUNT),
        Column(labels["Expenses"], AMOUNT),
        Column(labels["result"], AMOUNT),
    ]
    if compare:
        columns.append(Column(f"{labels['result']} {_period(report.compare_from, report.compare_to)}", AMOUNT))  # type: ignore[arg-type]

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            name = labels.get(row.name, row.name) if row.analytic_id is None else row.name
            yield [row.code, name, row.income, row.expense, row.result, *([row.compare_result] if compare else [])]
        totals = [report.total("income"), report.total("expense"), report.total("result")]
        yield ["", labels["total"], *totals, *([report.total("compare_result")] if compare else [])]

    title = f"{labels['analytic_report']} – {labels[report.dimension]}"
    return Table(title, _period(report.date_from, report.date_to), report.date_to, currency, columns, rows(), company)


def aged_table(report: AgedReport, *, currency: str, company: str, labels: dict[str, str]) -> Table:
    """Aged receivables or payables: a row per partner, a column per bucket, totals last."""
    columns = [Column(labels["partner"])] + [Column(labels.get(b, b), AMOUNT) for b in report.labels]
    columns.append(Column(labels["total"], AMOUNT))

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            yield [row.party, *row.buckets, row.total]
        totals = report.totals
        yield [labels["total"], *totals, sum(totals, Decimal(0))]

    title = labels["aged_" + report.kind]
    return Table(title, report.on.isoformat(), report.on, currency, columns, rows(), company)


def ledger_columns(labels: dict[str, str]) -> list[Column]:
    return [
        Column(labels["date"], DATE),
        Column(labels["entry"]),
        Column(labels["label"]),
        Column(labels["partner"]),
        Column(labels["debit"], AMOUNT),
        Column(labels["credit"], AMOUNT),
        Column(labels["balance"], AMOUNT),
    ]


def _ledger_rows(opening: Decimal, lines: Iterable[LedgerLine], labels: dict[str, str]) -> Iterator[list[Any]]:
    yield [None, "", labels["opening"], "", None, None, opening]
    balance = opening
    for line in lines:
        balance = line.balance
        yield [line.date, line.number, line.label, line.party, line.debit or None, line.credit or None, line.balance]
    yield [None, "", labels["closing"], "", None, None, balance]


def ledger_table(
    opening: Decimal,
    lines: Iterable[LedgerLine],
    *,
    title: str,
    date_from: dt.date,
    date_to: dt.date,
    currency: str,
    company: str,
    labels: dict[str, str],
) -> Table:
    """One account's lines between an opening and a closing balance; ``lines`` may be a generator."""
    period = _period(date_from, date_to)
    return Table(title, period, date_to, currency, ledger_columns(labels), _ledger_rows(opening, lines, labels), company)


def partner_ledger_table(
    ledgers: dict[str, Any],
    *,
    title: str,
    date_from: dt.date,
    date_to: dt.date,
    currency: str,
    company: str,
    labels: dict[str, str],
) -> Table:
    """A partner's receivable and payable accounts one after the other, each with its balances."""

    def rows() -> Iterator[list[Any]]:
        for account, ledger in ledgers.items():
            yield [None, "", account, "", None, None, None]
            yield from _ledger_rows(ledger.opening, ledger.lines, labels)

    return Table(title, _period(date_from, date_to), date_to, currency, ledger_columns(labels), rows(), company)


def tax_table(
    rows: list[TaxRow], *, date_from: dt.date, date_to: dt.date, currency: str, company: str, labels: dict[str, str]
) -> Table:
    """Bases and tax amounts per tax, sales then purchases."""
    columns = [
        Column(labels["use"]),
        Column(labels["tax_group"]),
        Column(labels["tax"]),
        Column(labels["base"], AMOUNT),
        Column(labels["tax_amount"], AMOUNT),
    ]
    cells = [[labels.get(r.use, r.use), r.group or "", r.tax, r.base, r.amount] for r in rows]
    return Table(labels["tax_report"], _period(date_from, date_to), date_to, currency, columns, iter(cells), company)


# Writers ----------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def _text(value: Any, kind: str, currency: str) -> str:
    if value is None:
        return ""
    if kind == AMOUNT:
        return str(round_amount(value, currency))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(table: Table) -> StreamingHttpResponse:
    """Stream the table as CSV (UTF-8, comma-separated, amounts with a decimal point)."""
    writer = csv.writer(_Echo())
    kinds = [c.kind for c in table.columns]

    def lines() -> Iterator[str]:
        yield writer.writerow([c.label for c in table.columns])
        for row in table.rows:
            yield writer.writerow([_text(v, k, table.currency) for v, k in zip(row, kinds, strict=True)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.csv"'
    return response


class _ReproducibleZip(zipfile.ZipFile):
    """A ZIP whose members all carry one fixed date, so equal content gives equal bytes."""

    def __init__(self, file: IO[bytes], stamp: dt.date) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.stamp = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)

    def member(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        info.file_size = size
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(self.member(name), data)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        info = self.member(arcname or os.path.basename(filename), os.path.getsize(filename))
        with open(filename, "rb") as source, self.open(info, "w", force_zip64=info.file_size > 2**31) as target:
            shutil.copyfileobj(source, target, 1 << 20)


def xlsx_file(table: Table) -> IO[bytes]:
    """Write the table as an XLSX workbook to a temporary file and return it, rewound."""
    styles = [xlsx.AMOUNT_STYLE if c.kind == AMOUNT else xlsx.DATE_STYLE if c.kind == DATE else xlsx.PLAIN for c in table.columns]

    def rows() -> Iterator[list[Any]]:
        for row in table.rows:
            yield [_text(v, TEXT, "") if s == xlsx.PLAIN and v is not None else v for v, s in zip(row, styles, strict=True)]

    # Not a context manager: the file outlives this function and FileResponse closes it when sent.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    with _ReproducibleZip(target, table.stamp) as archive:
        xlsx.write_workbook(
            archive,
            archive.member,
            title=table.title,
            stamp=dt.datetime.combine(table.stamp, dt.time()),
            header=[[table.company, table.title, table.period, table.currency], [c.label for c in table.columns]],
            styles=styles,
            rows=rows(),
        )
    target.seek(0)
    return target


def xlsx_response(table: Table) -> FileResponse:
    """Serve the table as an XLSX file from disk."""
    return FileResponse(
        xlsx_file(table),
        as_attachment=True,
        filename=f"{table.filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def pdf_response(table: Table) -> HttpResponse:
    """Render the table on A4 pages and serve it as a PDF."""
    from spona.back.finance.pdf import render_pdf

    kinds = [c.kind for c in table.columns]
    rows = ([{"text": _text(v, k, table.currency), "kind": k} for v, k in zip(row, kinds, strict=True)] for row in table.rows)
    data = render_pdf("finance/pdf/report.html", {"table": table, "rows": rows}, stamp=table.stamp, title=table.title)
    return pdf_http_response(data, f"{table.filename}.pdf")


def pdf_http_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
