"""Scheduled jobs of support (``spona.core.schedule``): thin wrappers over services."""

from __future__ import annotations

from spona.core.env import env_str
from spona.core.models import Company
from spona.front.support import services


def sla_check() -> str:
    counts = services.sla_check()
    return f"warned {counts['warned']}, escalated {counts['breached']}"


def send_pending_replies() -> str:
    return f"sent {services.send_pending_replies()}"


def chat_end_idle() -> str:
    return f"ended {services.chat_end_idle()}"


def imap_poll() -> str:
    """Poll the mailbox named by SPONA_SUPPORT_IMAP_URL, when one is configured."""
    from spona.front.support.mailserver import ImapSource
    from spona.front.support.mailserver import imap_poll as poll

    url = env_str("SPONA_SUPPORT_IMAP_URL")
    if not url:
        return "no mailbox configured"
    source = ImapSource.from_url(url)
    company = Company.objects.filter(code=source.company_code, is_active=True).first()
    if company is None:
        return f"unknown company {source.company_code!r}"
    return f"fetched {poll(source=source, company=company)}"
