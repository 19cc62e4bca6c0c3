"""Support reports: backlog, SLA compliance, CSAT, volumes and workload; CSV export; charts."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from spona.front.support import selectors
from spona.front.support.views.common import caller, crumbs
from spona.web.views.base import company_view


def _period(request: HttpRequest) -> tuple[dt.datetime, dt.datetime, int]:
    try:
        days = max(1, min(int(request.GET.get("days", 30)), 366))
    except ValueError:
        days = 30
    end = timezone.now() + dt.timedelta(seconds=1)
    return end - dt.timedelta(days=days), end, days


@require_GET
@company_view("support.view")
def reports(request: HttpRequest) -> HttpResponse:
    user, company = caller(request)
    start, end, days = _period(request)
    data = selectors.report(user=user, company=company, start=start, end=end)
    chart = {
        "channels": {"labels": [r["channel"] for r in data.by_channel], "values": [r["n"] for r in data.by_channel]},
        "backlog": {"labels": list(data.backlog), "values": list(data.backlog.values())},
    }
    return render(
        request, "support/reports.html", {"report": data, "days": days, "chart": chart, "breadcrumbs": crumbs("reports")}
    )


@require_GET
@company_view("support.view")
def reports_csv(request: HttpRequest) -> HttpResponse:
    """The report's figures as CSV (one row per figure), for a spreadsheet."""
    user, company = caller(request)
    start, end, days = _period(request)
    data = selectors.report(user=user, company=company, start=start, end=end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="support-report-{days}d.csv"'
    writer = csv.writer(response)
    writer.writerow(["section", "item", "value"])
    for status, n in data.backlog.items():
        writer.writerow(["backlog", status, n])
    rows = [
        ("period", "created", data.created),
        ("period", "solved", data.solved),
        ("sla", "first response met %", data.first_response_rate),
        ("sla", "resolution met %", data.resolution_rate),
        ("sla", "average first response (min)", data.avg_first_response_minutes),
        ("sla", "average resolution (min)", data.avg_resolution_minutes),
        ("sla", "tickets with a breach", data.breached_tickets),
        ("csat", "good %", data.csat_score),
        ("csat", "answers", data.csat_total),
    ]
    writer.writerows((a, b, "" if c is None else c) for a, b, c in rows)
    writer.writerows(("channel", r["channel"], r["n"]) for r in data.by_channel)
    writer.writerows(("type", r["type"], r["n"]) for r in data.by_type)
    writer.writerows(("workload", r["assignee__full_name"], r["open"]) for r in data.workload)
    writer.writerows(("csat by agent", r["agent__full_name"], f"{r['good']}/{r['total']}") for r in data.csat_by_agent)
    writer.writerows(("csat by queue", r["queue__name"], f"{r['good']}/{r['total']}") for r in data.csat_by_queue)
    return response
