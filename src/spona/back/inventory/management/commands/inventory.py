"""``spona inventory check``: recompute stock from the moves and reservations (QUALITY S2), and its value against the ledger.

``spona inventory open-valuation``: value the stock on hand that has no valuation layers yet (one opening entry).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.back.inventory.reports import valuation_check
from spona.back.inventory.selectors import stock_check
from spona.back.inventory.services import valuation_open
from spona.core.errors import ApplicationError
from spona.core.models import Company


class Command(BaseCommand):
    help = (
        "Inventory tools. `spona inventory check` recomputes on-hand stock from the done moves and "
        "reserved stock from the open reservations, for every company (or --company CODE), and lists "
        "every stock row that disagrees; then checks that the stock's valuation layers hold the stock on hand and "
        "that their value equals the ledger's stock account to the cent. Exit code 1 when there is a mismatch. "
        "`spona inventory open-valuation --company CODE` values the stock on hand that was there before valuation "
        "was switched on, at each product's current cost, and posts one opening entry (stock against retained earnings)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser(
            "check", help="Check that on hand = Σ moves, reserved = Σ open reservations and valuation = ledger."
        )
        check.add_argument("--company", default="", help="Only this company (its code).")
        opening = sub.add_parser(
            "open-valuation", help="Value stock on hand that has no valuation layers yet and post one opening entry."
        )
        opening.add_argument("--company", required=True, help="The company (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "open-valuation":
            self.open_valuation(options["company"])
            return
        companies = Company.objects.order_by("code")
        if options["company"]:
            companies = companies.filter(code=options["company"].lower())
            if not companies.exists():
                raise CommandError(f"No company with code {options['company']!r}.")
        total = 0
        for company in companies:
            mismatches = stock_check(company)
            total += len(mismatches)
            if not mismatches:
                self.stdout.write(f"{company.code}: stock agrees with its moves and reservations (0 mismatches).")
            for item in mismatches:
                where = (
                    f"reservation {item.reservation_id}"
                    if item.reservation_id
                    else f"location {item.location_id}" + (f", lot {item.lot_id}" if item.lot_id else "")
                )
                self.stdout.write(
                    f"{company.code}: product {item.product_id}, {where}: {item.kind} is {item.actual}, expected {item.expected}."
                )
            problems = valuation_check(company)
            total += len(problems)
            if not problems:
                self.stdout.write(f"{company.code}: stock valuation agrees with the stock and the ledger (0 differences).")
            for problem in problems:
                self.stdout.write(f"{company.code}: valuation: {problem}.")
        if total:
            raise CommandError(f"{total} stock or valuation mismatch(es) found.")

    def open_valuation(self, code: str) -> None:
        company = Company.objects.filter(code=code.lower()).first()
        if company is None:
            raise CommandError(f"No company with code {code!r}.")
        try:
            result = valuation_open(actor=None, company=company)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        posted = "posted in the stock journal" if result.entry_id else "not posted: the ledger is not set up"
        value = f"{result.value} {company.base_currency}"
        self.stdout.write(f"{company.code}: opening valuation of {result.products} product(s), {value}, {posted}.")
