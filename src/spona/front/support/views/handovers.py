"""A ticket's split and hand-overs: messages into a new ticket, a credit note asked of finance, a
return asked of sales, and the sales user's list of returns to open."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.front.support import selectors, services
from spona.front.support.forms import HandOverForm, ReturnRequestFilterForm, SplitForm
from spona.front.support.models import ReturnRequest, TicketLink
from spona.front.support.views.common import caller, query_without_cursor
from spona.web.views.base import company_view

# As the ticket queue: a page a sales user can take in at a glance.
PAGE_SIZE = 25


def linked(links: Iterable[TicketLink], record_type: str) -> list[tuple[int, str]]:
    """A ticket's links of one type, as choices (a credit note or a return is asked for these)."""
    return [(x.record_id, x.label or f"#{x.record_id}") for x in links if x.record_type == record_type]


@require_POST
@company_view("support.manage")
def ticket_split(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen messages become a new ticket, linked to this one."""
    user, company = caller(request)
    ticket = selectors.ticket_get(user=user, company=company, ticket_id=pk)
    form = SplitForm(request.POST, message_ids=list(ticket.messages.values_list("pk", flat=True)))
    if not form.is_valid():
        messages.error(request, _("Tick the messages that become the new ticket."))
        return redirect("support:ticket_detail", pk=pk)
    d = form.cleaned_data
    try:
        split = services.ticket_split(actor=user, company=company, ticket_id=pk, message_ids=d["messages"], subject=d["subject"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("support:ticket_detail", pk=pk)
    messages.success(request, _("Ticket %(number)s split off.") % {"number": split.number})
    return redirect("support:ticket_detail", pk=split.pk)


def _hand_over(
    request: HttpRequest,
    pk: int,
    *,
    prefix: str,
    record_type: str,
    label: str,
    invalid: str,
    done: str,
    ask: Callable[[User, Company, int, str], object],
) -> HttpResponse:
    """Validate a hand-over form for one of the ticket's linked records and pass it to ``ask(record_id, reason)``."""
    user, company = caller(request)
    ticket = selectors.ticket_get(user=user, company=company, ticket_id=pk)
    form = HandOverForm(request.POST, prefix=prefix, records=linked(ticket.links.all(), record_type), label=label)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("support:ticket_detail", pk=pk)
    try:
        ask(user, company, form.cleaned_data["record"], form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("support:ticket_detail", pk=pk)


@require_POST
@company_view("support.manage")
def ticket_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask finance for a credit note for an invoice linked to the ticket (a draft finance posts)."""
    return _hand_over(
        request,
        pk,
        prefix="credit",
        record_type=TicketLink.RecordType.INVOICE,
        label=_("Invoice"),
        invalid=_("Choose a linked invoice and give the reason."),
        done=_("Credit note requested: finance will review and post the draft."),
        ask=lambda user, company, record, reason: services.ticket_request_credit_note(
            actor=user, company=company, ticket_id=pk, invoice_id=record, reason=reason
        ),
    )


@require_POST
@company_view("support.manage")
def ticket_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask sales to take back the goods of an order linked to the ticket."""
    return _hand_over(
        request,
        pk,
        prefix="return",
        record_type=TicketLink.RecordType.ORDER,
        label=_("Order"),
        invalid=_("Choose a linked order and give the reason."),
        done=_("Return requested: sales will open it."),
        ask=lambda user, company, record, reason: services.ticket_request_return(
            actor=user, company=company, ticket_id=pk, order_id=record, reason=reason
        ),
    )


@require_GET
@company_view("sales.manage")
def return_request_list(request: HttpRequest) -> HttpResponse:
    """The returns support asked for, for a sales user to open: the queue oldest first, searchable, a page at a time.

    An htmx request (live search, paging) gets the results only.
    """
    user, company = caller(request)
    form = ReturnRequestFilterForm(request.GET)
    form.is_valid()  # a bad value drops only its own filter
    filters = {"q": form.cleaned_data.get("q") or "", "status": form.selected_status()}
    try:
        page = selectors.return_request_list(
            user=user, company=company, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE, **filters
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.return_request_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters["q"]) or filters["status"] != ReturnRequest.Status.REQUESTED,
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "breadcrumbs": [(_("Return requests"), None)],
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "support/partials/_return_request_results.html", context)
    return render(request, "support/return_request_list.html", context)


@require_POST
@company_view("sales.manage")
def return_request_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the requested return (sales' RMA: goods received back, invoiced quantities credited)."""
    user, company = caller(request)
    try:
        done = services.return_request_open(actor=user, company=company, request_id=pk)
    except NotFound as exc:
        # Another company's request, or none at all: the page does not exist for this user.
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Return %(number)s opened.") % {"number": done.rma_number})
    return redirect("support:return_request_list")
