"""The ledger's screens: journal entries, payments, the chart of accounts, the trial balance, settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.finance import selectors, selectors_ui, services
from spona.back.finance.forms import (
    EntryFilterForm,
    EntryForm,
    EntryLineForm,
    EntryLineFormSet,
    LedgerLinesForm,
    LockDatesForm,
    PaymentFilterForm,
    ReverseForm,
    TrialBalanceForm,
    entry_lines_data,
    set_party_choices,
)
from spona.back.finance.views.common import amount_format, bounded_index, caller, parse_id
from spona.core.errors import ApplicationError, StateError, ValidationFailed
from spona.core.selectors import Page
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
MAX_LINES = 499
ZERO = Decimal(0)


def _page_or_empty(request: HttpRequest, read: Any, **kwargs: Any) -> Page:
    """Run a paged read; a refused filter (bad cursor, reversed dates) shows its message and no rows."""
    try:
        return read(**kwargs)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return Page(items=[], next_cursor=None)


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


# Journal entries -----------------------------------------------------------------------------


@require_GET
@company_view("finance.view_ledger")
def entry_list(request: HttpRequest) -> HttpResponse:
    """List journal entries by journal, state and date range; an htmx request gets only the results."""
    user, company = caller(request)
    journals = selectors_ui.journal_list(user=user, company=company)
    form = EntryFilterForm(request.GET, journals=journals)
    form.is_valid()
    data = form.cleaned_data
    page = _page_or_empty(
        request,
        selectors_ui.entry_page,
        user=user,
        company=company,
        journal_id=data.get("journal"),
        state=data.get("state") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "fmt": amount_format(company.base_currency),
        "filtered": any(data.get(k) for k in ("journal", "state", "date_from", "date_to")),
        "first_page": bool(request.GET.get("cursor")),
        "query": _query_without_cursor(request),
        "can_post": can(request, "finance.post"),
        "breadcrumbs": [(_("Journal entries"), None)],
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "finance/partials/_entry_results.html", context)
    return render(request, "finance/entry_list.html", context)


@require_GET
@company_view("finance.view_ledger")
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an entry: its lines, totals, its place in the journal's hash chain, and what it belongs to."""
    user, company = caller(request)
    entry = selectors_ui.entry_get(user=user, company=company, entry_id=pk)
    lines = list(entry.lines.all())
    can_post = can(request, "finance.post")
    links = selectors_ui.entry_links(entry=entry)
    return render(
        request,
        "finance/entry_detail.html",
        {
            "entry": entry,
            "lines": lines,
            "debit": sum((x.debit for x in lines), ZERO),
            "credit": sum((x.credit for x in lines), ZERO),
            "fmt": amount_format(company.base_currency),
            "links": links,
            "can_post": can_post and entry.is_draft(),
            "can_reverse": can_post and entry.is_posted() and links["reversed_by"] is None,
            "reverse_form": ReverseForm(),
            "breadcrumbs": [(_("Journal entries"), reverse("finance:entry_list")), (str(entry), None)],
        },
    )


def _entry_form_options(request: HttpRequest) -> dict[str, Any]:
    user, company = caller(request)
    return {"accounts": selectors_ui.account_list(user=user, company=company, postable=True)}


def _balance(lines: Any) -> dict[str, Any]:
    """Debit and credit typed so far, for the live "balanced" check (the service decides on save)."""
    debit = credit = ZERO
    for form in lines.forms:
        d, c = form.amounts()
        debit, credit = debit + d, credit + c
    return {"debit": debit, "credit": credit, "difference": debit - credit, "balanced": debit == credit and debit > 0}


@company_view("finance.post")
def entry_create(request: HttpRequest) -> HttpResponse:
    """Prepare a manual draft entry; the balance is shown as the lines are typed."""
    user, company = caller(request)
    posted = request.method == "POST"
    journals = selectors_ui.journal_list(user=user, company=company)
    form = EntryForm(
        request.POST if posted else None,
        journals=[j for j in journals if j.is_active],
        search_url=reverse("web:party_search"),
        parties=selectors_ui.partner_choices(user=user, company=company, ids=[parse_id(request.POST.get("party"))]),
    )
    lines = EntryLineFormSet(
        request.POST if posted else entry_lines_data(), prefix="lines", form_kwargs=_entry_form_options(request)
    )
    if posted and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        used = lines.used_forms()
        try:
            entry = services.entry_create(
                actor=user,
                company=company,
                journal_id=data["journal"],
                date=data["date"],
                lines=[f.to_input(data["party"]) for f in used],
                reference=data["reference"],
                memo=data["memo"],
                party_id=data["party"],
            )
        except ApplicationError as exc:
            rest: dict[str, list[str]] = {}
            for key, msgs in (exc.field_errors if isinstance(exc, ValidationFailed) else {}).items():
                index = key[6:-1] if key.startswith("lines[") and key.endswith("]") else ""
                if index.isdigit() and int(index) < len(used):
                    for message in msgs:
                        used[int(index)].add_error(None, message)
                else:
                    rest[key] = msgs
            apply_error(form, ValidationFailed(exc.message, field_errors=rest) if isinstance(exc, ValidationFailed) else exc)
        else:
            messages.success(request, _("The draft entry is saved."))
            return redirect("finance:entry_detail", pk=entry.pk)
    return render(
        request,
        "finance/entry_form.html",
        {
            "form": form,
            "lines": lines,
            "balance": _balance(lines),
            "fmt": amount_format(company.base_currency),
            "title": _("New journal entry"),
            "cancel_url": reverse("finance:entry_list"),
            "breadcrumbs": [(_("Journal entries"), reverse("finance:entry_list")), (_("New"), None)],
        },
        status=422 if form.errors or lines.total_error_count() else 200,
    )


@require_POST
@company_view("finance.post")
def entry_balance(request: HttpRequest) -> HttpResponse:
    """Answer the entry form's live balance check (htmx)."""
    _user, company = caller(request)
    lines = EntryLineFormSet(request.POST, prefix="lines", form_kwargs=_entry_form_options(request))
    balance = _balance(lines) if lines.management_form.is_valid() else None
    return render(
        request, "finance/partials/_entry_balance.html", {"balance": balance, "fmt": amount_format(company.base_currency)}
    )


@require_GET
@company_view("finance.post")
def entry_line(request: HttpRequest) -> HttpResponse:
    """Answer "Add a line" (htmx) with one more empty row and the formset's new row count."""
    index = bounded_index(request.GET.get("lines-TOTAL_FORMS"), MAX_LINES)
    form = EntryLineForm(prefix=f"lines-{index}", **_entry_form_options(request))
    return render(request, "finance/partials/_entry_line.html", {"line": form, "total_forms": index + 1})


@require_POST
@company_view("finance.post")
def entry_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a draft entry: number it, chain it, make it immutable."""
    user, company = caller(request)
    try:
        entry = services.entry_post(actor=user, company=company, entry_id=pk)
    except (ValidationFailed, StateError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Entry %(number)s is posted.") % {"number": entry.number})
    return redirect("finance:entry_detail", pk=pk)


@require_POST
@company_view("finance.post")
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a posted entry by posting its mirror image, with the reason."""
    user, company = caller(request)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date, or leave it empty."))
        return redirect("finance:entry_detail", pk=pk)
    try:
        reversal = services.entry_reverse(
            actor=user, company=company, entry_id=pk, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"]
        )
    except (ValidationFailed, StateError) as exc:
        messages.error(request, exc.message)
        return redirect("finance:entry_detail", pk=pk)
    messages.success(request, _("Reversed by %(number)s.") % {"number": reversal.number})
    return redirect("finance:entry_detail", pk=reversal.pk)


@require_POST
@company_view("finance.post")
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a draft entry; posted entries are reversed instead."""
    user, company = caller(request)
    try:
        services.entry_delete_draft(actor=user, company=company, entry_id=pk)
    except StateError as exc:
        messages.error(request, exc.message)
        return redirect("finance:entry_detail", pk=pk)
    messages.success(request, _("The draft entry is deleted."))
    return redirect("finance:entry_list")


# Payments ------------------------------------------------------------------------------------


@require_GET
@company_view("finance.view_ledger")
def payment_list(request: HttpRequest) -> HttpResponse:
    """List payments received and made, newest first."""
    user, company = caller(request)
    form = PaymentFilterForm(request.GET, search_url=reverse("web:party_search"))
    form.is_valid()
    data = form.cleaned_data
    set_party_choices(
        form.fields["party"], selectors_ui.partner_choices(user=user, company=company, ids=[data.get("party") or 0])
    )
    page = _page_or_empty(
        request,
        selectors_ui.payment_page,
        user=user,
        company=company,
        direction=data.get("direction") or "",
        party_id=data.get("party"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "rows": [{"payment": p, "fmt": amount_format(p.currency)} for p in page.items],
        "filtered": any(data.get(k) for k in ("direction", "party", "date_from", "date_to")),
        "first_page": bool(request.GET.get("cursor")),
        "query": _query_without_cursor(request),
        "breadcrumbs": [(_("Payments"), None)],
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "finance/partials/_payment_results.html", context)
    return render(request, "finance/payment_list.html", context)


# Chart, trial balance, settings ----------------------------------------------------------------


@require_GET
@company_view("finance.view_ledger")
def account_list(request: HttpRequest) -> HttpResponse:
    """Show the chart of accounts as a tree."""
    user, company = caller(request)
    return render(
        request,
        "finance/account_list.html",
        {
            "rows": selectors_ui.account_tree(user=user, company=company),
            "can_setup": can(request, "finance.manage_settings"),
            "breadcrumbs": [(_("Chart of accounts"), None)],
        },
    )


@require_GET
@company_view("finance.view_ledger")
def trial_balance(request: HttpRequest) -> HttpResponse:
    """Show debit, credit and balance per account over a date range, each account drilling down to its lines."""
    user, company = caller(request)
    form = TrialBalanceForm(request.GET)
    form.is_valid()
    date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    rows = []
    if date_from and date_to and date_from > date_to:
        messages.error(request, _("The start date is after the end date."))
    else:
        rows = selectors.trial_balance(user=user, company=company, date_from=date_from, date_to=date_to)
    return render(
        request,
        "finance/trial_balance.html",
        {
            "form": form,
            "rows": rows,
            "debit": sum((r.debit for r in rows), ZERO),
            "credit": sum((r.credit for r in rows), ZERO),
            "fmt": amount_format(company.base_currency),
            "currency": company.base_currency,
            "query": request.GET.urlencode(),
            "breadcrumbs": [(_("Trial balance"), None)],
        },
    )


@require_GET
@company_view("finance.view_ledger")
def account_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the posted lines of one account in a date range (the trial balance's drill-down)."""
    user, company = caller(request)
    account = selectors_ui.account_get(user=user, company=company, account_id=pk)
    form = LedgerLinesForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    page = _page_or_empty(
        request,
        selectors_ui.account_lines,
        user=user,
        company=company,
        account_id=account.pk,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        cursor=data.get("cursor") or None,
    )
    return render(
        request,
        "finance/account_ledger.html",
        {
            "account": account,
            "form": form,
            "page": page,
            "fmt": amount_format(company.base_currency),
            "first_page": bool(request.GET.get("cursor")),
            "query": _query_without_cursor(request),
            "breadcrumbs": [(_("Trial balance"), reverse("finance:trial_balance")), (str(account), None)],
        },
    )


@company_view("finance.view_ledger")
def ledger_settings(request: HttpRequest) -> HttpResponse:
    """Show and move the lock dates; offer the ledger setup while the company has no chart."""
    user, company = caller(request)
    settings = selectors_ui.ledger_settings(user=user, company=company)
    can_lock = can(request, "finance.lock_periods")
    initial = {"soft": settings.soft_lock_date, "hard": settings.hard_lock_date}
    form = LockDatesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if not can_lock:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                services.lock_dates_set(
                    actor=user, company=company, soft=form.cleaned_data["soft"], hard=form.cleaned_data["hard"]
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The lock dates are saved."))
                return redirect("finance:settings")
    return render(
        request,
        "finance/settings.html",
        {
            "form": form,
            "settings": settings,
            "can_lock": can_lock,
            "set_up": selectors_ui.ledger_is_set_up(user=user, company=company),
            "can_setup": can(request, "finance.manage_settings"),
            "breadcrumbs": [(_("Finance settings"), None)],
        },
        status=422 if form.errors else 200,
    )


@require_POST
@company_view("finance.manage_settings")
def ledger_setup(request: HttpRequest) -> HttpResponse:
    """Give the company the generic chart of accounts, journals and VAT taxes."""
    user, company = caller(request)
    try:
        services.ledger_setup(actor=user, company=company)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ledger is set up: chart of accounts, journals and VAT taxes."))
    return redirect("finance:settings")
