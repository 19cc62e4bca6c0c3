"""A streaming XLSX writer for report tables: one sheet of text, amounts and dates.

openpyxl (without lxml, which we do not ship) serialises every cell through an element tree:
about two thirds of a 100,000-line ledger's export went there. Report tables need three kinds
of cell and two number formats, so the sheet's XML is written here directly, row by row, into
the ZIP member; the few fixed parts of the package are constants. openpyxl still reads the
files back in the tests, which checks that they are sound.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# Style ids of the cells, as listed in STYLES' cellXfs: text, amount, date.
PLAIN, AMOUNT_STYLE, DATE_STYLE = 0, 1, 2
EXCEL_EPOCH = dt.date(1899, 12, 30)
# XML 1.0 forbids these characters even when escaped; a label pasted from elsewhere may hold one.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ROWS_PER_WRITE = 500

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'{HEAD}<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'{HEAD}<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Number format 4 is Excel's built-in "#,##0.00"; 164 is the first free id, for ISO dates.
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _text_cell(ref: str, value: str) -> str:
    text = escape(FORBIDDEN.sub("", value))
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _cell(ref: str, value: Any, style: int) -> str:
    """One cell; ``style`` says how a number or a date is shown, text is always text."""
    if value is None or value == "":
        return ""
    if style == DATE_STYLE and isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(day - EXCEL_EPOCH).days}</v></c>'
    if style == AMOUNT_STYLE and isinstance(value, Decimal | int):
        return f'<c r="{ref}" s="{AMOUNT_STYLE}"><v>{value:f}</v></c>'
    return _text_cell(ref, str(value))


def write_sheet(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    *,
    header: Sequence[Sequence[str]],
    styles: Sequence[int],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Stream the sheet's XML into ``member``: the ``header`` rows as text, then ``rows`` with one style per column."""
    letters = _column_letters(max([len(styles), *(len(h) for h in header)]))
    with archive.open(member, "w", force_zip64=True) as target:
        target.write(f'{HEAD}<worksheet xmlns="{MAIN}"><sheetData>'.encode())
        chunk = [
            f'<row r="{n}">' + "".join(_text_cell(f"{c}{n}", v) for c, v in zip(letters, cells, strict=False)) + "</row>"
            for n, cells in enumerate(header, start=1)
        ]
        for number, values in enumerate(rows, start=len(header) + 1):
            row = "".join(_cell(f"{c}{number}", v, s) for c, v, s in zip(letters, values, styles, strict=False))
            chunk.append(f'<row r="{number}">{row}</row>')
            if len(chunk) >= ROWS_PER_WRITE:
                target.write("".join(chunk).encode())
                chunk.clear()
        chunk.append("</sheetData></worksheet>")
        target.write("".join(chunk).encode())


def write_workbook(
    archive: zipfile.ZipFile,
    new_member: Any,
    *,
    title: str,
    stamp: dt.datetime,
    header: Sequence[Sequence[str]],
    styles: Sequence[int],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Write a one-sheet workbook into ``archive``; ``new_member(name)`` gives each part's ZipInfo (its date)."""
    moment = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        f"{HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>Spona</dc:creator><dc:title>{escape(FORBIDDEN.sub('', title))}</dc:title>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{moment}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    # A sheet name is at most 31 characters and has none of []:*?/\ .
    sheet_name = re.sub(r"[\[\]:*?/\\]", " ", FORBIDDEN.sub("", title))[:31] or "Report"
    workbook = (
        f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    for name, text in (
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/styles.xml", STYLES),
    ):
        archive.writestr(new_member(name), text.encode())
    write_sheet(archive, new_member("xl/worksheets/sheet1.xml"), header=header, styles=styles, rows=rows)
