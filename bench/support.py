"""Support benchmarks: inbound e-mails turned into tickets per second, and the queue's first page
with 1,000,000 tickets (fewer with ``--tickets`` for a quick check).

``mail``: ``count`` raw e-mails (half from known customers, half from new senders, a third of
them answers to earlier tickets by In-Reply-To) go through ``services.mail_receive``, each in
its own transaction as the SMTP receiver does: parsing, loop and rate checks, customer lookup or
registration, SLA policy, queue assignment, gapless number, message, events and audit. Measured
twice: with the events delivered in-process after each commit (embedded mode), and with them left
in the outbox for the workers (scaled mode, ``SPONA_EVENTS_DISPATCH_ON_COMMIT=false``).

``queue``: ``tickets`` (1,000,000 unless ``--tickets`` says otherwise) bulk-loaded across 500
customers, then the agent's queue page (the first 25 open tickets with customer, agent, queue and
SLA state) requested through the test client.
"""

from __future__ import annotations

import statistics
import time
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

Figures = dict[str, tuple[float, str]]


def _raw(n: int, reply_to: str | None) -> tuple[bytes, str]:
    msg = EmailMessage()
    sender = f"customer{n % 200}@bench.example" if n % 2 else f"new{n}@bench.example"
    msg["From"] = f"Customer {n} <{sender}>"
    msg["To"] = "help@bench.example"
    msg["Subject"] = f"Question number {n}"
    msg["Message-ID"] = mid = make_msgid(domain="bench.example")
    if reply_to:
        msg["In-Reply-To"] = reply_to
    msg.set_content(f"Hello,\n\nthis is question {n}.\n\nRegards")
    return bytes(msg), mid


def _company() -> tuple[Any, Any]:
    from spona.core import services as core
    from spona.front.support import services

    company = core.company_create(actor=None, name="Bench Support d.o.o.", code="bench-support", country="RS")
    agent = core.user_create(actor=None, company=company, email="agent@bench.example", full_name="Bench Agent", roles=["support"])
    services.policy_create(
        actor=None,
        company=company,
        name="Standard",
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=2400,
    )
    services.queue_create(actor=None, company=company, name="Help", method="round_robin", is_default=True, members={agent.pk: []})
    return company, agent


def mail_in(*, count: int, **_: Any) -> Figures:
    """Receive ``count`` e-mails through the service and report tickets (and replies) per second."""
    from django.conf import settings

    from spona.front.support import services

    settings.SUPPORT_MAIL_RATE_PER_HOUR = 10**9  # the bench's senders are not spammers
    company, _agent = _company()
    # The mails are written before the clock starts: composing them is the senders' work, not ours.
    mails: list[bytes] = []
    mids: list[str] = []
    for n in range(2 * count):
        raw, mid = _raw(n, mids[n // 3] if n % 3 == 2 and mids else None)
        mails.append(raw)
        mids.append(mid)

    def receive(first: int, last: int) -> float:
        started = time.perf_counter()
        for raw in mails[first:last]:
            services.mail_receive(company=company, raw=raw)
        return time.perf_counter() - started

    # Embedded mode: the receiving process also delivers each mail's events (timeline, notifications)
    # right after its commit. Scaled: it only records them in the outbox and the workers deliver.
    inline = receive(0, count)
    settings.EVENTS_DISPATCH_ON_COMMIT = False
    queued = receive(count, 2 * count)
    return {
        "mails per second": (count / inline, "/s"),
        "mails per second, events to workers": (count / queued, "/s"),
        "mails": (count, ""),
    }


def queue_page(*, requests: int, tickets: int = 1_000_000, **_: Any) -> Figures:
    """Time the first page of the queue with ``tickets`` tickets present."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from spona.core.models import Party
    from spona.front.support.models import Queue, Ticket

    company, agent = _company()
    queue = Queue.objects.get(company=company)
    parties = Party.objects.bulk_create([Party(company=company, kind="organisation", name=f"Customer {i}") for i in range(500)])
    now = timezone.now()
    states = ["new", "open", "pending_customer", "solved", "closed", "closed"]
    batch = 20_000
    for start in range(0, tickets, batch):
        Ticket.objects.bulk_create(
            [
                Ticket(
                    company=company,
                    number=f"B-{i:07d}",
                    subject=f"Ticket {i}",
                    party=parties[i % 500],
                    queue=queue,
                    assignee=agent if i % 3 else None,
                    status=states[i % 6],
                    channel="email",
                    sla_due_at=now + timezone.timedelta(hours=(i % 48) - 8),
                    sla_warn_at=now + timezone.timedelta(hours=(i % 48) - 10),
                )
                for i in range(start, min(start + batch, tickets))
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The page's {% static %} needs no collected manifest for timing the view.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    override_settings(STORAGES=plain).enable()
    client = Client()
    client.force_login(agent)
    url = "/support/tickets/"
    client.get(url)  # warm caches and the session
    samples = []
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    # Count now: the captured list is read from the connection's log, which the next request clears.
    query_count = len(ctx.captured_queries)
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    ordered = sorted(samples)
    return {
        "tickets": (tickets, ""),
        "first page p50": (statistics.median(ordered), "ms"),
        "first page p95": (ordered[round(0.95 * (len(ordered) - 1))], "ms"),
        "queries per request": (query_count, ""),
    }
