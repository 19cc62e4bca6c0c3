"""The inbox (unread first, filter by kind, pages), marking read, opening the record, and the preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.bridge.notifications import selectors, services
from spona.bridge.notifications.forms import InboxFilterForm, PreferencesForm
from spona.core.errors import ApplicationError
from spona.core.models import Company, User
from spona.web.views.base import apply_error, company_view, safe_next

PERMISSION = "notifications.use"


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Notifications"), reverse("notifications:inbox")), *items]


@require_GET
@company_view(PERMISSION)
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications in this company: unread first, newest first, by kind, 25 a page."""
    user, company = _caller(request)
    form = InboxFilterForm(request.GET or None)
    kind, unread = "", False
    if form.is_valid():
        kind, unread = form.cleaned_data["kind"], form.cleaned_data["unread"]
    page = selectors.notification_page(user=user, company=company, kind=kind, unread=unread, page=request.GET.get("page", 1))
    query = urlencode({k: v for k, v in (("kind", kind), ("unread", "on" if unread else "")) if v})
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "form": form, "kind": kind, "query": query, "breadcrumbs": _crumbs()},
    )


@require_GET
@company_view(PERMISSION)
def bell(request: HttpRequest) -> HttpResponse:
    """The top bar's bell with my unread count in this company (fetched by the bell itself)."""
    user, company = _caller(request)
    return render(request, "notifications/partials/_bell.html", {"unread": selectors.unread_count(user=user, company=company)})


@require_POST
@company_view(PERMISSION)
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go to the record it is about (the inbox when it names none)."""
    user, company = _caller(request)
    notification = services.notification_mark_read(user=user, company=company, notification_id=pk)
    return redirect(notification.link or reverse("notifications:inbox"))


@require_POST
@company_view(PERMISSION)
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read, or unread again, and come back to the inbox page."""
    user, company = _caller(request)
    if request.POST.get("unread"):
        services.notification_mark_unread(user=user, company=company, notification_id=pk)
    else:
        services.notification_mark_read(user=user, company=company, notification_id=pk)
    return redirect(safe_next(request, reverse("notifications:inbox")))


@require_POST
@company_view(PERMISSION)
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all my unread notifications in this company read (of the kind being shown, if one)."""
    user, company = _caller(request)
    try:
        count = services.notifications_mark_all_read(user=user, company=company, kind=request.POST.get("kind", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect(safe_next(request, reverse("notifications:inbox")))


@company_view(PERMISSION)
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose, for each kind of notification, whether it shows in Spona and when it is e-mailed."""
    user, company = _caller(request)
    form = PreferencesForm(request.POST or None, rows=selectors.preference_list(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_save(user=user, company=company, preferences=form.preferences())
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Notification preferences saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "breadcrumbs": _crumbs((_("Preferences"), None))},
    )
