"""``spona export KIND``: write every record of a kind as CSV (streamed) or XLSX, with the columns its import reads."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.bridge.imports import exports, registry
from spona.core.errors import ApplicationError
from spona.core.models import Company, User


class Command(BaseCommand):
    help = "Export parties, products, leads, opening_balances or price_list_items as CSV (to stdout or --output) or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"One of: {', '.join(sorted(registry.REGISTRY))}.")
        parser.add_argument("--company", default="", help="The company's code (needed when there are several).")
        parser.add_argument("--user", required=True, help="E-mail of the user whose rights the export uses.")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", default="", help="The file to write; CSV goes to stdout without it.")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = Company.objects.filter(is_active=True)
        if options["company"]:
            companies = companies.filter(code=options["company"].lower())
        found = list(companies[:2])
        if len(found) != 1:
            raise CommandError("Name the company with --company CODE." if found else "No such active company.")
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("An XLSX export needs --output FILE.")
        try:
            if options["format"] == "xlsx":
                source = exports.xlsx_file(actor=user, company=found[0], kind=options["kind"])
                with source, Path(options["output"]).open("wb") as target:
                    shutil.copyfileobj(source, target)
                return
            lines = exports.csv_stream(actor=user, company=found[0], kind=options["kind"])
            if options["output"]:
                with Path(options["output"]).open("wb") as target:
                    target.writelines(lines)
            else:
                sys.stdout.buffer.writelines(lines)
                sys.stdout.flush()
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
