"""Ticket screens: the queue (filters, SLA column), a new ticket, and the ticket page with its thread,
reply and note with macros, status, assignment, time, links and the collision notice."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError, ValidationFailed
from spona.front.support import selectors, services
from spona.front.support.forms import (
    AssignForm,
    HandOverForm,
    LinkForm,
    ReplyForm,
    SplitForm,
    StatusForm,
    TicketFilterForm,
    TicketForm,
    TimeForm,
)
from spona.front.support.models import Macro, TicketLink
from spona.front.support.views.common import (
    agent_choices,
    caller,
    crumbs,
    party_choices,
    query_without_cursor,
    queue_choices,
)
from spona.front.support.views.handovers import linked
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25


@require_GET
@company_view("support.view")
def ticket_list(request: HttpRequest) -> HttpResponse:
    """The queue: open tickets newest first with filters and the SLA state; htmx gets the results only."""
    user, company = caller(request)
    form = TicketFilterForm(request.GET, queues=queue_choices(company), agents=agent_choices(company))
    form.is_valid()  # a bad value drops only its own filter
    data = form.cleaned_data
    status = data.get("status") or ""
    who = data.get("assignee") or ""
    filters = {
        "q": data.get("q") or "",
        "status": "" if status in ("", "all") else status,
        "open_only": status == "",
        "queue_id": data.get("queue"),
        "assignee_id": user.pk if who == "me" else (int(who) if who.isdigit() else None),
        "unassigned": who == "none",
        "priority": data.get("priority") or "",
        "sla": data.get("sla") or "",
    }
    try:
        page = selectors.ticket_list(user=user, company=company, cursor=data.get("cursor") or None, limit=PAGE_SIZE, **filters)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.ticket_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    now = timezone.now()
    context = {
        "form": form,
        "page": page,
        "rows": [(t, t.sla_state(now)) for t in page.items],
        "filtered": any(v for k, v in filters.items() if k != "open_only"),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "support.manage"),
        "breadcrumbs": crumbs("tickets"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "support/partials/_ticket_results.html", context)
    return render(request, "support/ticket_list.html", context)


@company_view("support.manage")
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Open a ticket by hand (a phone call, a walk-in)."""
    user, company = caller(request)
    form = TicketForm(request.POST or None, parties=party_choices(company), queues=queue_choices(company))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=user,
                company=company,
                data=services.TicketInput(
                    subject=d["subject"],
                    text=d["text"],
                    party_id=d["party"],
                    requester_email=d["requester_email"] or "",
                    channel=d["channel"],
                    queue_id=d["queue"],
                    priority=d["priority"],
                    type=d["type"],
                    tags=d["tags"].split(","),
                ),
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"party_id": "party", "queue_id": "queue"})
        else:
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("support:ticket_detail", pk=ticket.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New ticket"),
            "cancel_url": reverse("support:ticket_list"),
            "breadcrumbs": crumbs("tickets", (_("New ticket"), None)),
        },
    )


@require_GET
@company_view("support.manage")
def ticket_next(request: HttpRequest) -> HttpResponse:
    """Open the ticket to work next (see selectors.ticket_next), or say that none is waiting."""
    user, company = caller(request)
    ticket = selectors.ticket_next(user=user, company=company)
    if ticket is None:
        messages.info(request, _("No ticket is waiting for you."))
        return redirect("support:ticket_list")
    return redirect("support:ticket_detail", pk=ticket.pk)


def _detail(request: HttpRequest, pk: int, reply_form: ReplyForm | None = None, status: int = 200) -> HttpResponse:
    user, company = caller(request)
    ticket = selectors.ticket_get(user=user, company=company, ticket_id=pk)
    extra = selectors.ticket_context(user=user, company=company, ticket=ticket)
    agents = [(u.pk, u.full_name) for u in extra.agents]
    queues = [(q.pk, q.name) for q in extra.queues]
    context = {
        "ticket": ticket,
        "sla_state": ticket.sla_state(timezone.now()),
        "thread": selectors.ticket_thread(user=user, company=company, ticket=ticket),
        "extra": extra,
        "reply_form": reply_form or ReplyForm(macros=[(m.pk, m.name) for m in extra.macros]),
        # Its own ids: the reply form has a status field too, and a label must name one element.
        "status_form": StatusForm(initial={"status": ticket.status}, auto_id="set_%s"),
        "assign_form": AssignForm(
            initial={"assignee": ticket.assignee_id, "queue": ticket.queue_id}, agents=agents, queues=queues
        ),
        "time_form": TimeForm(),
        "split_form": SplitForm(message_ids=[]),
        "credit_form": HandOverForm(
            prefix="credit", records=linked(extra.links, TicketLink.RecordType.INVOICE), label=_("Invoice")
        ),
        "return_form": HandOverForm(prefix="return", records=linked(extra.links, TicketLink.RecordType.ORDER), label=_("Order")),
        "link_form": LinkForm(),
        "can_manage": can(request, "support.manage"),
        "breadcrumbs": crumbs("tickets", (ticket.number, None)),
    }
    return render(request, "support/ticket_detail.html", context, status=status)


@require_GET
@company_view("support.view")
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
@company_view("support.manage")
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a public reply or add an internal note; a chosen macro fills an empty message."""
    user, company = caller(request)
    ticket = selectors.ticket_get(user=user, company=company, ticket_id=pk)
    macros = {m.pk: m for m in Macro.objects.filter(company=company)}
    form = ReplyForm(request.POST, request.FILES, macros=[(m.pk, m.name) for m in macros.values()])
    if form.is_valid():
        d = form.cleaned_data
        macro = macros.get(d["macro"]) if d["macro"] else None
        text = d["text"] or (services.macro_render(macro=macro, ticket=ticket, agent=user) if macro else "")
        status = d["status"] or (macro.set_status if macro else "")
        upload = d.get("attachment")
        files = [services.AttachmentIn(upload.name, upload.content_type or "", upload.read())] if upload else []
        try:
            services.ticket_reply(
                actor=user,
                company=company,
                ticket_id=pk,
                text=text,
                note=d["note"],
                status=status if not d["note"] else "",
                attachments=files,
            )
            if d["note"] and status:
                services.ticket_set_status(actor=user, company=company, ticket_id=pk, status=status)
            if macro and macro.set_priority:
                fresh = selectors.ticket_get(user=user, company=company, ticket_id=pk)
                services.ticket_update(
                    actor=user, company=company, ticket_id=pk, version=fresh.version, priority=macro.set_priority
                )
        except ApplicationError as exc:
            apply_error(form, exc, {"body": "text", "attachments": "attachment"})
        else:
            messages.success(request, _("Note added.") if d["note"] else _("Reply sent."))
            return redirect("support:ticket_detail", pk=pk)
    return _detail(request, pk, reply_form=form, status=422)


def _post_and_back(request: HttpRequest, pk: int, done: str, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("support:ticket_detail", pk=pk)


@require_POST
@company_view("support.manage")
def ticket_status(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    selectors.ticket_get(user=user, company=company, ticket_id=pk)  # another company's ticket is a 404
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("support:ticket_detail", pk=pk)
    return _post_and_back(
        request,
        pk,
        _("Status changed."),
        lambda: services.ticket_set_status(actor=user, company=company, ticket_id=pk, status=form.cleaned_data["status"]),
    )


@require_POST
@company_view("support.manage")
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    selectors.ticket_get(user=user, company=company, ticket_id=pk)  # another company's ticket is a 404
    form = AssignForm(request.POST, agents=agent_choices(company), queues=queue_choices(company))
    if not form.is_valid():
        messages.error(request, _("Choose an agent of this company."))
        return redirect("support:ticket_detail", pk=pk)
    d = form.cleaned_data
    return _post_and_back(
        request,
        pk,
        _("Assignment changed."),
        lambda: services.ticket_assign(actor=user, company=company, ticket_id=pk, assignee_id=d["assignee"], queue_id=d["queue"]),
    )


@require_POST
@company_view("support.manage")
def ticket_time(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    selectors.ticket_get(user=user, company=company, ticket_id=pk)  # another company's ticket is a 404
    form = TimeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the minutes spent (1 to 1440)."))
        return redirect("support:ticket_detail", pk=pk)
    d = form.cleaned_data
    return _post_and_back(
        request,
        pk,
        _("Time logged."),
        lambda: services.time_log(actor=user, company=company, ticket_id=pk, minutes=d["minutes"], activity=d["activity"]),
    )


@require_POST
@company_view("support.manage")
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    selectors.ticket_get(user=user, company=company, ticket_id=pk)  # another company's ticket is a 404
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a record type and give its id."))
        return redirect("support:ticket_detail", pk=pk)
    d = form.cleaned_data
    return _post_and_back(
        request,
        pk,
        _("Link added."),
        lambda: services.ticket_link(
            actor=user, company=company, ticket_id=pk, record_type=d["record_type"], record_id=d["record_id"]
        ),
    )


@require_POST
@company_view("support.manage")
def ticket_viewers(request: HttpRequest, pk: int) -> HttpResponse:
    """The heartbeat the ticket page posts every few seconds; answers who else has it open."""
    user, company = caller(request)
    others = services.viewer_heartbeat(actor=user, company=company, ticket_id=pk, replying=request.POST.get("replying") == "1")
    return render(request, "support/partials/_viewers.html", {"others": others, "ticket_id": pk})


@require_GET
@company_view("support.view")
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an attachment as a download (never inline), after checking the ticket is the company's (SEC8)."""
    user, company = caller(request)
    attachment = selectors.attachment_get(user=user, company=company, attachment_id=pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response
