"""Read bank statements: CSV with a column mapping, ISO 20022 CAMT.053 XML, and OFX.

Parsing only: each reader returns a ``ParsedStatement`` or raises ValidationFailed naming
the rows that could not be read; nothing here touches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from spona.core.errors import ValidationFailed

CSV_FIELDS = ("date", "amount", "debit", "credit", "label", "reference", "partner_name", "account_number", "transaction_id")


@dataclass
class ParsedLine:
    date: dt.date
    amount: Decimal
    label: str = ""
    reference: str = ""
    partner_name: str = ""
    account_number: str = ""
    transaction_id: str = ""


@dataclass
class ParsedStatement:
    name: str
    date: dt.date
    lines: list[ParsedLine] = field(default_factory=list)
    balance_start: Decimal | None = None
    balance_end: Decimal | None = None


def _decimal(text: str, decimal_separator: str = ".") -> Decimal:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if decimal_separator == ",":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None


def parse_csv(
    text: str, *, mapping: dict[str, str], date_format: str = "%Y-%m-%d", decimal_separator: str = ".", delimiter: str = ","
) -> ParsedStatement:
    """Read a CSV export; ``mapping`` maps our fields (``CSV_FIELDS``) to the file's column names.

    Either ``amount`` (signed) or ``debit`` and ``credit`` columns are needed, and ``date``.
    """
    unknown = set(mapping) - set(CSV_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields in the column mapping: {', '.join(sorted(unknown))}.")
    if "date" not in mapping or not ("amount" in mapping or {"debit", "credit"} <= set(mapping)):
        raise ValidationFailed("Map at least the date and the amount (or the debit and credit) columns.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    missing = [column for column in mapping.values() if column not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(f"The file has no column named {', '.join(repr(c) for c in missing)}.")
    lines, errors = [], {}
    for number, row in enumerate(reader, start=2):
        try:
            day = dt.datetime.strptime(row[mapping["date"]].strip(), date_format).date()
            if "amount" in mapping:
                amount = _decimal(row[mapping["amount"]], decimal_separator)
            else:
                debit = row[mapping["debit"]].strip()
                credit = row[mapping["credit"]].strip()
                amount = (_decimal(credit, decimal_separator) if credit else Decimal(0)) - (
                    _decimal(debit, decimal_separator) if debit else Decimal(0)
                )
        except (ValueError, KeyError) as exc:
            errors[f"line {number}"] = [str(exc)]
            continue
        if amount == 0:
            continue
        extra = {
            key: (row.get(column) or "").strip()
            for key, column in mapping.items()
            if key not in ("date", "amount", "debit", "credit")
        }
        lines.append(ParsedLine(date=day, amount=amount, **extra))
    if errors:
        raise ValidationFailed("Some rows could not be read; nothing was imported.", field_errors=errors)
    if not lines:
        raise ValidationFailed("The file has no transactions.")
    return ParsedStatement(name=f"CSV {lines[0].date}–{lines[-1].date}", date=max(x.date for x in lines), lines=lines)


def _text(node: object, path: str) -> str:
    found = node.find(path)  # type: ignore[attr-defined]
    return (found.text or "").strip() if found is not None else ""


def parse_camt053(data: bytes) -> ParsedStatement:
    """Read an ISO 20022 bank-to-customer statement (camt.053, any version)."""
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ValidationFailed(f"The file is not a readable CAMT.053 statement: {exc}.") from None
    statement = root.find(".//{*}Stmt")
    if statement is None:
        raise ValidationFailed("The file is XML but holds no camt.053 statement (no Stmt element).")
    balances: dict[str, Decimal] = {}
    for balance in statement.findall("{*}Bal"):
        code = _text(balance, "{*}Tp/{*}CdOrPrtry/{*}Cd")
        amount = Decimal(_text(balance, "{*}Amt") or "0")
        balances[code] = -amount if _text(balance, "{*}CdtDbtInd") == "DBIT" else amount
    lines, errors = [], {}
    for index, entry in enumerate(statement.findall("{*}Ntry"), start=1):
        try:
            amount = Decimal(_text(entry, "{*}Amt"))
            day = dt.date.fromisoformat(
                (_text(entry, "{*}BookgDt/{*}Dt") or _text(entry, "{*}BookgDt/{*}DtTm") or _text(entry, "{*}ValDt/{*}Dt"))[:10]
            )
        except (InvalidOperation, ValueError):
            errors[f"entry {index}"] = ["no readable amount or booking date"]
            continue
        debit = _text(entry, "{*}CdtDbtInd") == "DBIT"
        details = entry.find(".//{*}TxDtls")
        node = details if details is not None else entry
        partner = _text(node, ".//{*}RltdPties/{*}Cdtr/{*}Nm" if debit else ".//{*}RltdPties/{*}Dbtr/{*}Nm")
        account = _text(
            node, ".//{*}RltdPties/{*}CdtrAcct/{*}Id/{*}IBAN" if debit else ".//{*}RltdPties/{*}DbtrAcct/{*}Id/{*}IBAN"
        )
        remittance = " ".join(x.text.strip() for x in node.findall(".//{*}RmtInf/{*}Ustrd") if x.text)
        reference = _text(node, ".//{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref") or _text(node, ".//{*}Refs/{*}EndToEndId")
        lines.append(
            ParsedLine(
                date=day,
                amount=-amount if debit else amount,
                label=(remittance or _text(entry, "{*}AddtlNtryInf"))[:300],
                reference=("" if reference == "NOTPROVIDED" else reference)[:140],
                partner_name=partner[:200],
                account_number=account[:50],
                transaction_id=(_text(entry, "{*}AcctSvcrRef") or _text(node, ".//{*}Refs/{*}AcctSvcrRef"))[:100],
            )
        )
    if errors:
        raise ValidationFailed("Some entries could not be read; nothing was imported.", field_errors=errors)
    created = _text(statement, "{*}CreDtTm")[:10]
    day = dt.date.fromisoformat(created) if created else max((x.date for x in lines), default=dt.date.today())
    return ParsedStatement(
        name=_text(statement, "{*}Id") or f"CAMT {day}",
        date=day,
        lines=lines,
        balance_start=balances.get("OPBD", balances.get("PRCD")),
        balance_end=balances.get("CLBD"),
    )


_OFX_TRANSACTION = re.compile(r"<STMTTRN>(.*?)</STMTTRN>", re.S | re.I)


def _ofx_field(block: str, tag: str) -> str:
    match = re.search(rf"<{tag}>([^<\r\n]*)", block, re.I)
    return match.group(1).strip() if match else ""


def _ofx_date(text: str) -> dt.date:
    return dt.datetime.strptime(text[:8], "%Y%m%d").date()


def parse_ofx(text: str) -> ParsedStatement:
    """Read an OFX 1.x (SGML) or 2.x (XML) bank statement."""
    blocks = _OFX_TRANSACTION.findall(text)
    if "<OFX>" not in text.upper() or not blocks:
        raise ValidationFailed("The file is not an OFX bank statement with transactions.")
    lines, errors = [], {}
    for index, block in enumerate(blocks, start=1):
        try:
            lines.append(
                ParsedLine(
                    date=_ofx_date(_ofx_field(block, "DTPOSTED")),
                    amount=_decimal(_ofx_field(block, "TRNAMT")),
                    label=(_ofx_field(block, "MEMO") or _ofx_field(block, "NAME"))[:300],
                    partner_name=_ofx_field(block, "NAME")[:200],
                    reference=_ofx_field(block, "CHECKNUM")[:140],
                    transaction_id=_ofx_field(block, "FITID")[:100],
                )
            )
        except ValueError as exc:
            errors[f"transaction {index}"] = [str(exc)]
    if errors:
        raise ValidationFailed("Some transactions could not be read; nothing was imported.", field_errors=errors)
    ledger = re.search(r"<LEDGERBAL>.*?<BALAMT>([^<\r\n]*)", text, re.S | re.I)
    end = _ofx_field(text, "DTEND")
    day = _ofx_date(end) if end else max(x.date for x in lines)
    return ParsedStatement(name=f"OFX {day}", date=day, lines=lines, balance_end=_decimal(ledger.group(1)) if ledger else None)
