"""``spona search``: find records from the command line, or rebuild the global search index."""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.core import search
from spona.core.models import Company, User

DESCRIPTION = """\
Global search finds parties, opportunities, orders, invoices, tickets, products … by the words
in them, for the kinds of record the user's roles allow. The index follows every change by
itself; rebuild it after restoring a backup or importing data with raw SQL.

examples:
  spona search --rebuild                         rebuild the index of every company
  spona search --rebuild --company spona-demo    rebuild the demo company's index
  spona search "bora trade" --company spona-demo --user sales@demo.spona.test
                                                 what that user finds for "bora trade"
"""


class Command(BaseCommand):
    help = "Search records as a user would, or rebuild the global search index."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = DESCRIPTION
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="", help="words to look for (with --company and --user)")
        parser.add_argument("--rebuild", action="store_true", help="rebuild the index instead of searching")
        parser.add_argument("--company", default="", help="company code (all companies when rebuilding without it)")
        parser.add_argument("--user", default="", help="e-mail of the user whose roles decide what is found")

    def handle(self, *args: Any, **options: Any) -> None:
        company = None
        if options["company"]:
            company = Company.objects.filter(code=options["company"]).first()
            if company is None:
                raise CommandError(f"No company with the code {options['company']!r}.")
        if options["rebuild"]:
            counts = search.rebuild(company=company)
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count} records indexed")
            return
        if not options["query"].strip():
            raise CommandError("Give the words to look for, or --rebuild.")
        if company is None or not options["user"]:
            raise CommandError("Searching needs --company and --user: what is found depends on the user's roles there.")
        user = User.objects.filter(email__iexact=options["user"], memberships__company=company).distinct().first()
        if user is None:
            raise CommandError(f"{options['user']} is not a user of {company.name}.")
        hits = search.search(user=user, company=company, query=options["query"], limit=50)
        if not hits:
            self.stdout.write("Nothing found.")
        for hit in hits:
            self.stdout.write(f"{hit.label}: {hit.title}" + (f" ({hit.subtitle})" if hit.subtitle else "") + f"  {hit.url}")
