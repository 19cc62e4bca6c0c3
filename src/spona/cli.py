"""The ``spona`` command: Django's command runner with Spona's settings and a friendly overview."""

from __future__ import annotations

import os
import sys

OVERVIEW = """\
Spona: front office and back office as one integrated business platform.

Usage: spona <command> [options]        (spona <command> --help for details)

Everyday commands:
  run          Migrate, load the demo company on an empty database, start the web server
               and the background worker (embedded mode: SQLite under ./var).
  worker       Run the background worker: deliver events and run queued jobs.
  demo         Build the deterministic demo company (parties and one user per role).
  migrate      Create or update the database tables.
  createadmin  Create an administrator for a new or existing company.
  check        Check configuration, database, migrations, worker backlog and mail.
  search       Find records as a user would, or rebuild the global search index.

Department commands:
  import       Import parties, products, leads, opening balances or price lists (CSV, XLSX).
  export       Export them as CSV or XLSX.
  mail-in      Receive support e-mail over SMTP/LMTP, or poll an IMAP mailbox.
  crm          Fetch leads from a mailbox (fetch-leads).
  finance      Verify the ledger's hash chain (verify).
  inventory    Check the stock quants against the moves (check); open the valuation (open-valuation).

Configuration comes from SPONA_* environment variables; see docs/operator-guide.md.
Every Django management command also works, e.g. `spona shell` or `spona dbshell`.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spona.settings")
    if len(args) < 2 or (args[1] in ("-h", "--help", "help") and len(args) == 2):
        print(OVERVIEW)
        return
    from django.core.management import execute_from_command_line

    args[0] = "spona"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
