"""Work-centre screens: list, create, edit, and the load per day."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.back.production import selectors, services
from spona.back.production.forms import WorkCentreForm
from spona.back.production.views.common import caller, crumbs
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, can, company_view


@require_GET
@company_view("production.view")
def work_centre_list(request: HttpRequest) -> HttpResponse:
    """The work centres with their capacity and cost."""
    user, company = caller(request)
    return render(
        request,
        "production/work_centre_list.html",
        {
            "centres": selectors.work_centre_list(user=user, company=company),
            "can_manage": can(request, "production.manage"),
            "breadcrumbs": crumbs("centres"),
        },
    )


def _input(form: WorkCentreForm) -> services.WorkCentreInput:
    data = form.cleaned_data
    return services.WorkCentreInput(
        code=data["code"],
        name=data["name"],
        hours_per_day=data["hours_per_day"],
        working_days=data["working_days"],
        cost_per_hour=data["cost_per_hour"],
        is_active=data["is_active"],
    )


@company_view("production.manage")
def work_centre_create(request: HttpRequest) -> HttpResponse:
    user, company = caller(request)
    form = WorkCentreForm(request.POST or None, initial={"hours_per_day": 8, "cost_per_hour": 0})
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.work_centre_create(actor=user, company=company, data=_input(form))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Work centre %(code)s opened.") % {"code": centre.code})
            return redirect("production:work_centre_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New work centre"),
            "cancel_url": reverse("production:work_centre_list"),
            "breadcrumbs": crumbs("centres", (_("New"), None)),
        },
    )


@company_view("production.manage")
def work_centre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a work centre; a stale version shows a message instead of overwriting someone else's change."""
    user, company = caller(request)
    centre = selectors.work_centre_get(user=user, company=company, work_centre_id=pk)
    initial = {
        "code": centre.code,
        "name": centre.name,
        "hours_per_day": centre.hours_per_day.normalize(),
        "working_days": centre.working_days,
        "cost_per_hour": centre.cost_per_hour.normalize(),
        "is_active": centre.is_active,
        "version": centre.version,
    }
    form = WorkCentreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.work_centre_update(
                actor=user, company=company, work_centre_id=pk, version=form.cleaned_data["version"] or 0, data=_input(form)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Work centre saved."))
            return redirect("production:work_centre_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("Edit work centre %(code)s") % {"code": centre.code},
            "cancel_url": reverse("production:work_centre_list"),
            "breadcrumbs": crumbs("centres", (centre.code, None)),
        },
    )


@require_GET
@company_view("production.view")
def work_centre_load(request: HttpRequest, pk: int) -> HttpResponse:
    """The work centre's booked and free minutes per day, two weeks from the chosen day."""
    user, company = caller(request)
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = timezone.localdate()
    if not 2000 <= start.year <= 2999:
        start = timezone.localdate()
    centre = selectors.work_centre_get(user=user, company=company, work_centre_id=pk)
    return render(
        request,
        "production/work_centre_load.html",
        {
            "centre": centre,
            "days": selectors.work_centre_load(user=user, company=company, work_centre_id=pk, start=start, days=14),
            "start": start,
            "previous": start - dt.timedelta(days=14),
            "next": start + dt.timedelta(days=14),
            "breadcrumbs": crumbs("centres", (centre.code, None)),
        },
    )
