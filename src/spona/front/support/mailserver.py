"""The two inbound mail paths: an SMTP/LMTP receiver (aiosmtpd) and an IMAP poller (imap-tools).

Both hand each raw mail to ``services.mail_receive``; the receiver answers the sending server
only after the mail is committed (250), and with a temporary failure (451) when it could not
be stored, so the sender's server tries again instead of the mail being lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from spona.core.models import Company
from spona.front.support.services.mail_in import company_for, mail_receive

logger = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 30 * 1024 * 1024


def receive(raw: bytes, recipients: list[str], default_company_id: int | None) -> str:
    """Store one mail; return the SMTP reply line.

    Like Django's request cycle, the connection is checked before and released after (unless
    CONN_MAX_AGE keeps it): the receiver's thread lives as long as the server, and a connection
    it kept open would outlive a database restart or hold the database open.
    """
    close_old_connections()
    try:
        default = Company.objects.filter(pk=default_company_id).first() if default_company_id else None
        company = company_for(recipients, default)
        if company is None:
            return "550 5.1.1 No support mailbox here for these recipients"
        try:
            result = mail_receive(company=company, raw=raw, recipients=recipients)
        except Exception:
            logger.exception("Inbound mail could not be stored")
            return "451 4.3.0 Could not store the message; try again later"
        return f"250 2.0.0 Accepted ({result.outcome})"
    finally:
        close_old_connections()


class SupportHandler:
    """aiosmtpd handler: every accepted mail goes to ``receive`` in a worker thread (the ORM is sync)."""

    def __init__(self, default_company_id: int | None):
        self.default_company_id = default_company_id

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        return await sync_to_async(receive, thread_sensitive=True)(data, list(envelope.rcpt_tos), self.default_company_id)


class LmtpController(Controller):
    """The same receiver speaking LMTP, for a local mail server (Postfix ``lmtp:``) to deliver into."""

    def factory(self) -> LMTP:
        return LMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES)


def controller(*, host: str, port: int, default_company_id: int | None, lmtp: bool = False) -> Controller:
    """A receiver ready to ``start()`` on ``host:port``."""
    handler = SupportHandler(default_company_id)
    if lmtp:
        return LmtpController(handler, hostname=host, port=port)
    return Controller(handler, hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)


@dataclass(frozen=True)
class ImapSource:
    """Where to poll: ``imap://user:password@host:143/INBOX?company=acme`` (``imaps://`` for TLS)."""

    host: str
    port: int
    user: str
    password: str
    folder: str
    ssl: bool
    company_code: str

    @classmethod
    def from_url(cls, url: str) -> ImapSource:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError("Use imap:// or imaps:// for the support mailbox.")
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            ssl=parts.scheme == "imaps",
            company_code=(query.get("company") or [""])[0],
        )


def imap_poll(*, source: ImapSource, company: Company, limit: int = 200) -> int:
    """Fetch unseen mail from the mailbox into support; each is flagged seen once it is stored.

    A mail that fails stays unseen and is tried again at the next poll; ``mail_receive`` drops
    one it already has by its Message-ID, so a crash between storing and flagging is harmless.
    """
    from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

    box_class = MailBox if source.ssl else MailBoxUnencrypted
    done = 0
    with box_class(source.host, source.port).login(source.user, source.password, initial_folder=source.folder) as box:
        for message in box.fetch(AND(seen=False), mark_seen=False, limit=limit, bulk=True):
            mail_receive(company=company, raw=message.obj.as_bytes())
            box.flag(message.uid, MailMessageFlags.SEEN, True)
            done += 1
    return done
