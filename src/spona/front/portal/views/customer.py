"""The customer's pages under /portal/: home, tickets, orders, deliveries, invoices, help articles.

Every page is guarded by ``portal.use`` (only a customer's contact) and reads only the records of
the customer the contact speaks for: an id from the URL is looked up within (company, customer),
so another customer's record is a 404 exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from spona.back.finance.selectors import party_invoice_get, party_invoice_pdf, party_invoices
from spona.back.inventory.selectors import party_deliveries, party_delivery_get
from spona.core.errors import ApplicationError, NotFound
from spona.core.models import Company, Party
from spona.front.portal import selectors
from spona.front.portal.forms import ArticleSearchForm, ReplyForm, TicketForm
from spona.front.sales.selectors import order_status, party_order_get, party_orders
from spona.front.support.selectors import (
    party_tickets,
    portal_ticket_get,
    public_article_get,
    public_article_suggestions,
    public_articles,
)
from spona.front.support.services import portal_reply, portal_ticket_create
from spona.web.views.base import apply_error, company_view
from spona.web.views.twofactor import two_factor_page


def _customer(request: HttpRequest) -> tuple[Company, Party]:
    """The company and the customer the contact speaks for, read once per request (views and ``_page`` both ask)."""
    company = request.company  # type: ignore[attr-defined]
    customer = getattr(request, "portal_customer", None)
    if customer is None:
        customer = selectors.portal_customer(user=request.user, company=company)  # type: ignore[arg-type]
        request.portal_customer = customer  # type: ignore[attr-defined]
    return company, customer


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    company, customer = _customer(request)
    return render(request, template, {"company": company, "customer": customer, **context}, status=status)


@require_GET
@company_view("portal.use")
def home(request: HttpRequest) -> HttpResponse:
    """What needs the customer's attention: open tickets, orders in flight, invoices still to pay."""
    company, customer = _customer(request)
    invoices = party_invoices(company=company, party_id=customer.pk, limit=50)
    return _page(
        request,
        "portal/home.html",
        {
            "tickets": party_tickets(company=company, party_id=customer.pk, open_only=True, limit=5),
            "orders": [o for o in party_orders(company=company, party_id=customer.pk, limit=20) if o.status == "confirmed"][:5],
            "invoices": [i for i in invoices if i.state == "posted" and i.residual > 0][:5],
        },
    )


# Tickets ------------------------------------------------------------------------------------------


@require_GET
@company_view("portal.use")
def ticket_list(request: HttpRequest) -> HttpResponse:
    company, customer = _customer(request)
    return _page(request, "portal/ticket_list.html", {"tickets": party_tickets(company=company, party_id=customer.pk)})


@require_http_methods(["GET", "POST"])
@company_view("portal.use")
def ticket_create(request: HttpRequest) -> HttpResponse:
    """Open a ticket for the customer; public articles that may answer it are suggested while typing."""
    company, _customer_party = _customer(request)
    form = TicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = portal_ticket_create(
                actor=request.user,  # type: ignore[arg-type]
                company=company,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request, _("Your ticket %(number)s is open; we will answer here and by e-mail.") % {"number": ticket.number}
            )
            return redirect("portal:ticket_detail", pk=ticket.pk)
    return _page(request, "portal/ticket_form.html", {"form": form}, status=422 if form.errors else 200)


@require_GET
@company_view("portal.use")
def ticket_suggestions(request: HttpRequest) -> HttpResponse:
    """Answer the new-ticket form while the customer types (htmx): public articles matching the subject."""
    company = request.company  # type: ignore[attr-defined]
    text = request.GET.get("subject", "")[:200]
    articles = public_article_suggestions(company=company, text=text)
    return render(request, "portal/partials/_suggestions.html", {"articles": articles})


@require_http_methods(["GET", "POST"])
@company_view("portal.use")
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket of the customer with its public thread (agents' internal notes never show), and a reply box."""
    company, customer = _customer(request)
    ticket, thread = portal_ticket_get(company=company, party_id=customer.pk, ticket_id=pk)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_reply(actor=request.user, company=company, ticket_id=ticket.pk, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except NotFound:
            raise
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect("portal:ticket_detail", pk=ticket.pk)
    return _page(
        request,
        "portal/ticket_detail.html",
        {"ticket": ticket, "thread": thread, "form": form},
        status=422 if form.errors else 200,
    )


# Orders and deliveries ----------------------------------------------------------------------------


@require_GET
@company_view("portal.use")
def order_list(request: HttpRequest) -> HttpResponse:
    company, customer = _customer(request)
    return _page(request, "portal/order_list.html", {"orders": party_orders(company=company, party_id=customer.pk)})


@require_GET
@company_view("portal.use")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An order's lines with what is delivered of each, its deliveries and its posted invoices."""
    company, customer = _customer(request)
    order = party_order_get(company=company, party_id=customer.pk, order_id=pk)
    status = order_status(order=order)
    return _page(
        request,
        "portal/order_detail.html",
        {
            "order": order,
            "status": status,
            "invoices": [i for i in status.invoices if i.state != "draft"],
        },
    )


@require_GET
@company_view("portal.use")
def delivery_list(request: HttpRequest) -> HttpResponse:
    company, customer = _customer(request)
    return _page(request, "portal/delivery_list.html", {"deliveries": party_deliveries(company=company, party_id=customer.pk)})


@require_GET
@company_view("portal.use")
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company, customer = _customer(request)
    delivery = party_delivery_get(company=company, party_id=customer.pk, transfer_id=pk)
    return _page(request, "portal/delivery_detail.html", {"delivery": delivery})


# Invoices -----------------------------------------------------------------------------------------


@require_GET
@company_view("portal.use")
def invoice_list(request: HttpRequest) -> HttpResponse:
    company, customer = _customer(request)
    invoices = party_invoices(company=company, party_id=customer.pk)
    return _page(request, "portal/invoice_list.html", {"invoices": invoices})


@require_GET
@company_view("portal.use")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company, customer = _customer(request)
    invoice = party_invoice_get(company=company, party_id=customer.pk, invoice_id=pk)
    return _page(request, "portal/invoice_detail.html", {"invoice": invoice})


@require_GET
@company_view("portal.use")
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a posted invoice or credit note of the customer as PDF (per-download authorisation, SEC8)."""
    company, customer = _customer(request)
    try:
        data, filename = party_invoice_pdf(company=company, party_id=customer.pk, invoice_id=pk)
    except NotFound:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("portal:invoice_detail", pk=pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Help articles ------------------------------------------------------------------------------------


@require_GET
@company_view("portal.use")
def article_list(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    form = ArticleSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return _page(request, "portal/article_list.html", {"form": form, "q": q, "articles": public_articles(company=company, q=q)})


@require_GET
@company_view("portal.use")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    article = public_article_get(company=company, article_id=pk)
    return _page(request, "portal/article_detail.html", {"article": article})


# The contact's own password -----------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password (the current one first), in the portal's layout."""

    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        company, customer = _customer(self.request)
        return {**super().get_context_data(**kwargs), "company": company, "customer": customer}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


password_change = require_http_methods(["GET", "POST"])(company_view("portal.use")(PasswordChangeView.as_view()))


@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
@company_view("portal.use")
def two_factor(request: HttpRequest) -> HttpResponse:
    """The contact's two-factor login (authenticator app and recovery codes), in the portal's layout."""
    company, customer = _customer(request)
    return two_factor_page(
        request, "portal/two_factor.html", {"company": company, "customer": customer, "title": _("Two-factor login")}
    )
