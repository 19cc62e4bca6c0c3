"""``spona createadmin``: create a company's administrator (and the company when it is new)."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from spona.core import services
from spona.core.errors import ApplicationError
from spona.core.management.commands.demo import error_message
from spona.core.models import Company

DESCRIPTION = """\
Create an administrator who can log in, invite the other users and change the company's
settings. When the company does not exist yet it is created first.

Without options the command asks for each value. For scripts, give every value as an option
and the password in the environment variable SPONA_ADMIN_PASSWORD (an option --password also
works, but other users of the machine can see command lines). The password must have at
least 10 characters and must not be a common one.

examples:
  spona createadmin
  SPONA_ADMIN_PASSWORD=... spona createadmin --no-input --email ana@example.com \\
      --name "Ana Petrović" --company-code acme --company-name "Acme d.o.o." --country RS
"""


class Command(BaseCommand):
    help = DESCRIPTION

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the line breaks of the description and examples.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", help="the administrator's e-mail address; it is also the login")
        parser.add_argument("--name", help='the administrator\'s full name, e.g. "Ana Petrović"')
        parser.add_argument(
            "--company-code",
            help="short code of the company, e.g. acme (may be left out when the database holds exactly one company)",
        )
        parser.add_argument("--company-name", help='legal name of a new company, e.g. "Acme d.o.o."')
        parser.add_argument("--currency", default="EUR", help="base currency of a new company (default: %(default)s)")
        parser.add_argument("--country", default="", help="two-letter country code of a new company, e.g. RS")
        parser.add_argument("--password", help="the password (prefer the SPONA_ADMIN_PASSWORD environment variable)")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask: fail with a message when a value is missing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.create(**options)
        except (ApplicationError, DatabaseError) as exc:
            raise CommandError(f"No administrator was created: {error_message(exc)}", returncode=1) from None

    def create(self, **options: Any) -> None:
        self.interactive = options["interactive"] and sys.stdin.isatty()
        code = self.value(options["company_code"], "Company code", default=self.only_company_code())
        company = Company.objects.filter(code=code.strip().lower()).first()
        company_name = ""
        if company is None:
            company_name = self.value(options["company_name"], f"Name of the new company {code!r}", option="--company-name")
        email = self.value(options["email"], "E-mail", option="--email")
        name = self.value(options["name"], "Full name", option="--name")
        password = options["password"] or os.environ.get("SPONA_ADMIN_PASSWORD") or self.ask_password()
        with transaction.atomic():
            if company is None:
                company = services.company_create(
                    actor=None,
                    name=company_name,
                    code=code,
                    base_currency=options["currency"],
                    country=options["country"].strip().upper(),
                )
                self.stdout.write(f"Created the company {company.name} ({company.code}).")
            user = services.user_create(
                actor=None, company=company, email=email, full_name=name, roles=["admin"], password=password
            )
        self.stdout.write(
            self.style.SUCCESS(f"{user.full_name} <{user.email}> is now an administrator of {company.name}.")
            + " Log in with this e-mail address and the password you chose."
        )

    def only_company_code(self) -> str:
        codes = list(Company.objects.values_list("code", flat=True)[:2])
        return codes[0] if len(codes) == 1 else ""

    def value(self, given: str | None, prompt: str, *, default: str = "", option: str = "--company-code") -> str:
        """Return the option's value, else ask for it (interactive), else the default, else fail."""
        if given and given.strip():
            return given.strip()
        if self.interactive:
            while True:
                answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip() or default
                if answer:
                    return answer
                self.stderr.write(f"{prompt} is required.")
        if default:
            return default
        raise CommandError(f"{prompt} is missing: give it with {option}.", returncode=1)

    def ask_password(self) -> str:
        if not self.interactive:
            raise CommandError("The password is missing: set SPONA_ADMIN_PASSWORD (or give --password).", returncode=1)
        while True:
            first = getpass.getpass("Password (at least 10 characters): ")
            if first and first == getpass.getpass("Password again: "):
                return first
            self.stderr.write("The two passwords differ or are empty; try again.")
