"""``spona crm fetch-leads``: turn the unseen mail of each company's lead mailbox into leads now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.core.models import Company
from spona.front.crm.services import leads_fetch_company
from spona.front.crm.services.mail import ENV_PREFIX, mailbox_for


class Command(BaseCommand):
    help = (
        "CRM tools. `spona crm fetch-leads` reads the unseen messages of each company's lead mailbox "
        f"(the IMAP URL in {ENV_PREFIX}<COMPANY CODE>, e.g. imaps://user:password@host:993/INBOX), makes "
        "a lead of each (or notes it on the sender's open lead) and marks it seen. The scheduler does "
        "the same every five minutes. Exit code 1 when a mailbox could not be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        fetch = sub.add_parser("fetch-leads", help="Make leads of the unseen mail in each company's lead mailbox.")
        fetch.add_argument("--company", default="", help="Only this company (its code).")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = Company.objects.filter(is_active=True).order_by("code")
        if options["company"]:
            companies = companies.filter(code=options["company"].lower())
            if not companies.exists():
                raise CommandError(f"No active company with code {options['company']!r}.")
        failed = 0
        for company in companies:
            try:
                configured = mailbox_for(company) is not None
            except ValueError as exc:
                failed += 1
                self.stderr.write(str(exc))
                continue
            if not configured:
                if options["company"]:
                    self.stdout.write(f"{company.code}: no lead mailbox ({ENV_PREFIX}{company.code.upper()} is not set).")
                continue
            report = leads_fetch_company(company=company)
            self.stdout.write(str(report))
            for error in report.errors:
                self.stderr.write(f"{company.code}: {error}")
            failed += bool(report.errors)
        if failed:
            raise CommandError(f"{failed} mailbox(es) could not be read completely.")
