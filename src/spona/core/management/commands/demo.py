"""``spona demo``: build the demo company "Spona Demo d.o.o." (see ``spona.core.demo``)."""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError, RawDescriptionHelpFormatter
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import DatabaseError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from spona.core import demo
from spona.core.errors import ApplicationError, ValidationFailed

DESCRIPTION = f"""\
Build the demo company "{demo.COMPANY_NAME}" so that you can try Spona with realistic data:
about {demo.DEFAULT_ORGANISATIONS} organisations (customers, prospects, suppliers, partners in Serbia and
around), {demo.DEFAULT_PERSONS} contact persons with job titles, and one login per department role.

Everything goes through the same services as the web pages, so the audit trail, events and
the 360° timelines are real. The data is the same on every machine (a fixed random seed).
Running it again when the demo company exists changes nothing.

Every demo login uses the password "{demo.PASSWORD}".

examples:
  spona demo                                   build the full demo company
  spona demo --organisations 20 --persons 30   a small one, in a few seconds
"""


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def error_message(exc: ApplicationError | DatabaseError) -> str:
    """Turn a service or database error into one readable line (shared by Spona's commands)."""
    if isinstance(exc, DatabaseError):
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return f"the database is not ready ({first_line}); run `spona migrate` first"
    if isinstance(exc, ValidationFailed) and exc.field_errors:
        details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.field_errors.items())
        return f"{exc.message} ({details})"
    return exc.message


def console_for(stdout: OutputWrapper) -> Console:
    """A rich console writing where the command's output goes (a terminal, a file, a test's buffer)."""
    return Console(file=cast("IO[str]", stdout._out), highlight=False)


def logins_table(logins: list[demo.Login]) -> Table:
    """The demo logins as a table (also printed by `spona run`)."""
    table = Table(title=f'Demo logins (password for all: "{demo.PASSWORD}")', title_justify="left")
    table.add_column("E-mail", style="bold")
    table.add_column("Name")
    table.add_column("Role")
    for login in logins:
        table.add_row(login.email, login.full_name, login.role)
    return table


def build_with_progress(console: Console, *, organisations: int, persons: int, quiet: bool = False) -> demo.DemoResult:
    """Build the demo company with a progress bar per step (also used by `spona run`)."""
    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(description: str, done: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = progress.add_task(description, total=total)
            progress.update(tasks[description], completed=done, total=total)

        try:
            return demo.build(organisations=organisations, persons=persons, on_progress=on_progress)
        except (ApplicationError, DatabaseError) as exc:
            raise CommandError(f"The demo company was not created: {error_message(exc)}", returncode=1) from None


class Command(BaseCommand):
    help = DESCRIPTION

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Keep the line breaks of the description and examples.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--organisations",
            type=_count,
            default=demo.DEFAULT_ORGANISATIONS,
            metavar="N",
            help="how many organisations to create (default: %(default)s)",
        )
        parser.add_argument(
            "--persons",
            type=_count,
            default=demo.DEFAULT_PERSONS,
            metavar="N",
            help="how many contact persons to create (default: %(default)s)",
        )

    def handle(self, *args: Any, organisations: int, persons: int, **options: Any) -> None:
        console = console_for(self.stdout)
        quiet = options["verbosity"] == 0
        result = build_with_progress(console, organisations=organisations, persons=persons, quiet=quiet)
        if not result.created:
            console.print(f"The demo company {demo.COMPANY_NAME!r} already exists; nothing was changed.")
            return
        if quiet:
            return
        counts = result.counts
        console.print(
            f"Created {demo.COMPANY_NAME}: {counts['organisations']} organisations, {counts['persons']} persons, "
            f"{counts['links']} links, {counts['users']} users."
        )
        console.print(logins_table(result.logins))
