"""``spona finance verify``: check the tamper-evident chain of every journal (QUALITY L3)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.back.finance.selectors import balance_check, ledger_verify
from spona.core.models import Company


class Command(BaseCommand):
    help = (
        "Finance tools. `spona finance verify` recomputes the SHA-256 chain of every journal of every "
        "company (or of --company CODE) and reports the first entry where the chain breaks. Exit code 1 "
        "when something was changed behind the ledger's back. It also checks that the monthly account "
        "balances the reports read equal the posted lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check that no posted entry was changed, removed or inserted.")
        verify.add_argument("--company", default="", help="Only this company (its code).")
        verify.add_argument("--journal", default="", help="Only this journal (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = Company.objects.order_by("code")
        if options["company"]:
            companies = companies.filter(code=options["company"].lower())
            if not companies.exists():
                raise CommandError(f"No company with code {options['company']!r}.")
        broken = 0
        for company in companies:
            breaks = ledger_verify(company=company, journal_code=options["journal"])
            if not breaks:
                self.stdout.write(f"{company.code}: every journal's chain is intact.")
            for problem in balance_check(company=company):
                broken += 1
                self.stdout.write(f"{company.code}: {problem}.")
            for item in breaks:
                broken += 1
                where = f"entry {item.number}" if item.number else "the end of the journal"
                self.stdout.write(
                    f"{company.code}: journal {item.journal} breaks at position {item.position} ({where}): {item.reason}."
                )
        if broken:
            raise CommandError(f"{broken} broken chain(s) found.")
