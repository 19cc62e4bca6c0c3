"""Activities: plan one, mark it done, the personal "My day" page and the iCalendar export."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError, NotFound
from spona.front.crm import selectors, services
from spona.front.crm.forms import ActivityForm
from spona.front.crm.views.common import caller
from spona.web.views.base import apply_error, company_view, safe_next


@company_view("crm.manage")
def activity_create(request: HttpRequest) -> HttpResponse:
    """Plan an activity about a lead, an opportunity or a party (given as hidden fields)."""
    user, company = caller(request)
    initial = {k: request.GET.get(k) for k in ("lead", "opportunity", "party") if request.GET.get(k)}
    initial["due_at"] = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    form = ActivityForm(request.POST or None, initial=initial, users=selectors.member_choices(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_create(
                actor=user,
                company=company,
                kind=data["kind"],
                subject=data["subject"],
                due_at=data["due_at"],
                owner_id=data["owner"],
                notes=data["notes"],
                lead_id=data["lead"],
                opportunity_id=data["opportunity"],
                party_id=data["party"],
                remind_at=data["remind_at"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"owner_id": "owner"})
        else:
            messages.success(request, _("Activity planned."))
            return redirect(safe_next(request, reverse("crm:my_day")))
    return render(
        request,
        "crm/activity_form.html",
        {
            "form": form,
            "title": _("New activity"),
            "next": safe_next(request, ""),
            "breadcrumbs": [(_("My day"), reverse("crm:my_day"))],
        },
    )


@require_POST
@company_view("crm.manage")
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an activity done and go back where the user was."""
    user, company = caller(request)
    try:
        services.activity_done(actor=user, company=company, activity_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request, reverse("crm:my_day")))


@require_GET
@company_view("crm.view")
def my_day(request: HttpRequest) -> HttpResponse:
    """The user's overdue activities and today's."""
    user, company = caller(request)
    day = selectors.my_day(user=user, company=company)
    return render(request, "crm/my_day.html", {"day": day, "breadcrumbs": [(_("My day"), None)]})


def _ics_text(value: str) -> str:
    # RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    # RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF and a space.
    raw = line.encode()
    parts = []
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
        raw = b" " + raw
    parts.append(raw.decode())
    return "\r\n".join(parts)


@require_GET
@company_view("crm.view")
def activity_calendar(request: HttpRequest) -> HttpResponse:
    """Export the user's open activities as an iCalendar file (RFC 5545)."""
    user, company = caller(request)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    host = request.get_host().split(":")[0] or "spona"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Spona//CRM//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for activity in selectors.my_open_activities(user=user, company=company):
        start = activity.due_at.astimezone(dt.UTC)
        end = start + dt.timedelta(minutes=60 if activity.kind == "meeting" else 30)
        summary = f"{activity.get_kind_display()}: {activity.subject}"
        if activity.party is not None:
            summary += f" ({activity.party.name})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:crm-activity-{activity.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_text(summary)}",
        ]
        if activity.notes:
            lines.append(f"DESCRIPTION:{_ics_text(activity.notes)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_fold(line) for line in lines) + "\r\n"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="spona-activities.ics"'
    return response
