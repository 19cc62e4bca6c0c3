"""The registry of importers: what each kind of record takes from a file and which service it calls.

An importer names its target fields (label, required, type), the permission of the app that
owns the records, and how one row becomes one call of that app's service. Kinds whose rows
together make one record (an opening entry, a price list) collect them and call the service
once, in ``finish``. Exporters write the same columns, so an export can be imported again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from spona.core.models import Company, User
from spona.core.permissions import has_perm

TRUE = {"1", "yes", "y", "true", "da", "x"}
FALSE = {"0", "no", "n", "false", "ne", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y")


@dataclass(frozen=True)
class Field:
    """One target field of an importer: ``type`` is text, decimal, date, bool or list (comma-separated)."""

    name: str
    label: str
    required: bool = False
    type: str = "text"
    help: str = ""
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class RowFailed(Exception):
    """Errors found once rows are combined (an unbalanced entry): ``(line, field, message)``; line 0 is the whole file."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(errors[0][2] if errors else "")
        self.errors = errors


@dataclass
class Run:
    """One pass over a file: who imports into which company, the options, and what the importer keeps between rows."""

    actor: User
    company: Company
    options: dict[str, Any]
    created: int = 0
    skipped: int = 0
    data: dict[str, Any] = field(default_factory=dict)


class Importer:
    """Base of every importer; subclasses set the class attributes and ``apply`` (and ``finish`` when rows combine)."""

    kind: ClassVar[str]
    label: ClassVar[str]
    permission: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    options: ClassVar[tuple[Field, ...]] = ()
    # A service's field name -> this importer's field, so its messages land on the right column.
    error_fields: ClassVar[dict[str, str]] = {}

    def begin(self, run: Run) -> None:
        """Prepare lookups before the first row (units, accounts …)."""

    def apply(self, run: Run, line: int, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish(self, run: Run) -> None:
        """Write what the rows make together; raises RowFailed naming the lines at fault."""

    def export_rows(self, actor: User, company: Company) -> Iterator[list[Any]]:
        raise NotImplementedError

    def export_header(self) -> list[str]:
        """The export's columns: the field names, so an exported file imports again unchanged."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Add an importer under its kind (idempotent)."""
    REGISTRY[importer.kind] = importer
    return importer


def get(kind: str) -> Importer | None:
    return REGISTRY.get(kind)


def kinds_for(user: User, company: Company) -> list[Importer]:
    """The importers whose owning app lets ``user`` write in ``company``, in registration order."""
    return [i for i in REGISTRY.values() if has_perm(user, i.permission, company)]


def convert(spec: Field, raw: str) -> Any:
    """Turn a cell's text into the field's type; raises ValueError with a message for the person who typed it."""
    text = (raw or "").strip()
    if spec.type == "decimal":
        return parse_decimal(text) if text else None
    if spec.type == "date":
        return parse_date(text) if text else None
    if spec.type == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(f"Write yes or no, not {text!r}.")
    if spec.type == "list":
        return [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if spec.choices and text and text.lower() not in spec.choices:
        raise ValueError(f"{text!r} is not one of: {', '.join(spec.choices)}.")
    return text.lower() if spec.choices else text


def parse_decimal(text: str) -> Decimal:
    """Read 1234.5, 1,234.50, 1.234,50 or 1 234,50 exactly (never through a float)."""
    plain = re.sub(r"[\s_'\u00a0]", "", text)
    if "," in plain and "." in plain:
        # The separator written last is the decimal one; the other groups thousands.
        thousands = "." if plain.rfind(",") > plain.rfind(".") else ","
        plain = plain.replace(thousands, "").replace(",", ".")
    elif "," in plain:
        plain = plain.replace(",", ".")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number.") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number.")
    return value


def parse_date(text: str) -> dt.date:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    # A workbook's date cell arrives as an ISO date-time.
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date; write it as 2026-01-31.") from None
