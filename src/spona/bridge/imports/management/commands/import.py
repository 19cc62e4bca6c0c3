"""``spona import KIND FILE``: check and import a CSV or XLSX file, all rows or none, with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from spona.bridge.imports import registry, services
from spona.bridge.imports.readers import read
from spona.core.errors import ApplicationError
from spona.core.models import Company, User

BAD_ROWS = 2


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key:
            raise CommandError(f"{flag} takes NAME=VALUE, not {value!r}.")
        pairs[key] = target
    return pairs


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file: parties, products, leads, opening_balances or price_list_items. Columns are "
        "matched to fields by their headers; --map changes that. Every row is checked first; with any bad row "
        "nothing is imported, the errors are listed and the exit code is 2. --dry-run only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"One of: {', '.join(sorted(registry.REGISTRY))}.")
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--company", default="", help="The company's code (needed when there are several).")
        parser.add_argument("--user", required=True, help="E-mail of the user whose rights the import uses.")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", help="Fill FIELD from COLUMN.")
        parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE", help="e.g. date=2026-01-01.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        importer = registry.get(options["kind"])
        if importer is None:
            raise CommandError(f"Unknown kind {options['kind']!r}; choose one of {', '.join(sorted(registry.REGISTRY))}.")
        company = self._company(options["company"])
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            table = read(path.read_bytes())
            mapping = services.auto_mapping(importer, table.headers)
            mapping.update(_pairs(options["map"], "--map"))
            console = Console(file=self.stdout, force_terminal=False)
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
            ) as bar:
                task = bar.add_task("Checking" if options["dry_run"] else "Importing", total=len(table.rows))
                outcome = services.import_rows(
                    actor=user,
                    company=company,
                    kind=importer.kind,
                    table=table,
                    mapping=mapping,
                    options=_pairs(options["option"], "--option"),
                    commit=not options["dry_run"],
                    progress=lambda done, total: bar.update(task, completed=done),
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for error in outcome.errors:
            where = f"line {error.line}" if error.line else "file"
            self.stderr.write(f"{where}{f', {error.column}' if error.column else ''}: {error.message}")
        if outcome.errors:
            self.stderr.write(f"{len(outcome.errors)} errors in {outcome.total} rows; nothing was imported.")
            sys.exit(BAD_ROWS)
        verb = "would be imported" if options["dry_run"] else "imported"
        self.stdout.write(f"{outcome.imported} rows {verb}, {outcome.skipped} skipped.")

    def _company(self, code: str) -> Company:
        companies = Company.objects.filter(is_active=True)
        if code:
            companies = companies.filter(code=code.lower())
        found = list(companies[:2])
        if len(found) != 1:
            raise CommandError("Name the company with --company CODE." if found else f"No active company {code!r}.")
        return found[0]
