"""``spona mail-in``: receive support mail over SMTP or LMTP, or poll the IMAP mailbox once."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spona.core.env import env_str
from spona.core.models import Company


class Command(BaseCommand):
    help = (
        "Receive support e-mail. By default runs an SMTP server (aiosmtpd) on --host:--port that turns "
        "every mail into a ticket or a reply on its ticket; --lmtp speaks LMTP instead, for a local mail "
        "server to deliver into. A mail to a queue's inbound address goes to that queue's company; other "
        "mail goes to --company. With --imap-once it fetches the unseen mail of the mailbox in "
        "SPONA_SUPPORT_IMAP_URL (imap://user:password@host:143/INBOX?company=CODE) and exits; the "
        "scheduler does that every minute when the variable is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP instead of SMTP.")
        parser.add_argument("--company", default="", help="Code of the company that gets mail for unknown addresses.")
        parser.add_argument("--imap-once", action="store_true", help="Poll the IMAP mailbox once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        from spona.front.support.mailserver import ImapSource, controller, imap_poll

        if options["imap_once"]:
            url = env_str("SPONA_SUPPORT_IMAP_URL")
            if not url:
                raise CommandError("Set SPONA_SUPPORT_IMAP_URL to the support mailbox first.")
            try:
                source = ImapSource.from_url(url)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            company = Company.objects.filter(code=source.company_code, is_active=True).first()
            if company is None:
                raise CommandError(f"No active company with code {source.company_code!r} (the URL's ?company=).")
            self.stdout.write(f"Fetched {imap_poll(source=source, company=company)} message(s).")
            return
        company = None
        if options["company"]:
            company = Company.objects.filter(code=options["company"].lower(), is_active=True).first()
            if company is None:
                raise CommandError(f"No active company with code {options['company']!r}.")
        server = controller(
            host=options["host"], port=options["port"], default_company_id=company.pk if company else None, lmtp=options["lmtp"]
        )
        server.start()
        protocol = "LMTP" if options["lmtp"] else "SMTP"
        self.stdout.write(f"Receiving support mail over {protocol} on {options['host']}:{options['port']}; Ctrl+C stops.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
