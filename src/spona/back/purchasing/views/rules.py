"""Reorder rules, the replenishment report with its one-click RFQs, supplier performance and settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.purchasing import selectors, services
from spona.back.purchasing.forms import PeriodForm, RuleFilterForm, RuleForm, SettingsForm
from spona.back.purchasing.views.common import caller, crumbs, query_without_cursor
from spona.core.errors import ApplicationError, ValidationFailed
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
FIELD_MAP = {"product_id": "product", "warehouse_id": "warehouse"}


@require_GET
@company_view("purchasing.view")
def rule_list(request: HttpRequest) -> HttpResponse:
    """List reorder rules newest first, searchable by product."""
    user, company = caller(request)
    form = RuleFilterForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    try:
        page = selectors.rule_list(
            user=user, company=company, q=q, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.rule_list(user=user, company=company, q=q, limit=PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(q),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "purchasing.manage"),
        "breadcrumbs": crumbs("rules"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "purchasing/partials/_rule_results.html", context)
    return render(request, "purchasing/rule_list.html", context)


def _rule_input(form: RuleForm) -> services.RuleIn:
    data = form.cleaned_data
    return services.RuleIn(
        product_id=data["product"],
        warehouse_id=data["warehouse"],
        min_quantity=data["min_quantity"],
        max_quantity=data["max_quantity"],
        multiple=data["multiple"],
        is_active=data["is_active"],
    )


@company_view("purchasing.manage")
def rule_create(request: HttpRequest) -> HttpResponse:
    user, company = caller(request)
    form = RuleForm(
        request.POST or None,
        products=selectors.product_choices(user=user, company=company),
        warehouses=selectors.warehouse_choices(user=user, company=company),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_create(actor=user, company=company, data=_rule_input(form))
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Reorder rule added."))
            return redirect("purchasing:rule_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New reorder rule"),
            "cancel_url": reverse("purchasing:rule_list"),
            "breadcrumbs": crumbs("rules", (_("New"), None)),
        },
    )


@company_view("purchasing.manage")
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    rule = selectors.rule_get(user=user, company=company, rule_id=pk)
    initial = {
        "product": rule.product_id,
        "warehouse": rule.warehouse_id,
        "min_quantity": rule.min_quantity,
        "max_quantity": rule.max_quantity,
        "multiple": rule.multiple,
        "is_active": rule.is_active,
        "version": rule.version,
    }
    form = RuleForm(
        request.POST or None,
        initial=initial,
        products=[(rule.product_id, str(rule.product))],
        warehouses=[(rule.warehouse_id, str(rule.warehouse))],
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                actor=user, company=company, rule_id=rule.pk, version=form.cleaned_data["version"] or 0, data=_rule_input(form)
            )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Reorder rule saved."))
            return redirect("purchasing:rule_list")
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("Edit the rule of %(product)s") % {"product": rule.product},
            "cancel_url": reverse("purchasing:rule_list"),
            "breadcrumbs": crumbs("rules", (str(rule.product), None)),
        },
    )


@require_GET
@company_view("purchasing.view")
def replenishment(request: HttpRequest) -> HttpResponse:
    """What to buy now: every rule below its minimum, grouped by the supplier to buy from."""
    user, company = caller(request)
    proposals = selectors.replenishment(user=user, company=company)
    groups: dict[str, list[selectors.Proposal]] = {}
    for p in sorted(proposals, key=lambda p: (p.supplier or "~", p.sku)):
        groups.setdefault(p.supplier or _("No supplier known"), []).append(p)
    context = {"groups": groups, "can_manage": can(request, "purchasing.manage"), "breadcrumbs": crumbs("replenishment")}
    return render(request, "purchasing/replenishment.html", context)


@require_POST
@company_view("purchasing.manage")
def replenishment_order(request: HttpRequest) -> HttpResponse:
    """Draft one RFQ per supplier for the ticked proposals."""
    user, company = caller(request)
    rule_ids = [int(v) for v in request.POST.getlist("rule") if v.isdigit() and len(v) < 19]
    created = services.replenishment_order(actor=user, company=company, rule_ids=rule_ids)
    if created:
        messages.success(request, _("%(count)d RFQ(s) drafted.") % {"count": len(created)})
        return redirect(f"{reverse('purchasing:order_list')}?state=draft")
    messages.info(request, _("Nothing to order: tick proposals that have a supplier."))
    return redirect("purchasing:replenishment")


@require_GET
@company_view("purchasing.view")
def performance(request: HttpRequest) -> HttpResponse:
    """On-time rate, average delay and price variance per supplier over a period (this year by default)."""
    user, company = caller(request)
    form = PeriodForm(request.GET)
    form.is_valid()
    today = timezone.localdate()
    date_from = form.cleaned_data.get("date_from") or dt.date(today.year, 1, 1)
    date_to = form.cleaned_data.get("date_to") or today
    try:
        rows = selectors.supplier_performance(user=user, company=company, date_from=date_from, date_to=date_to)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        rows = []
    context = {"form": form, "rows": rows, "date_from": date_from, "date_to": date_to, "breadcrumbs": crumbs("performance")}
    return render(request, "purchasing/performance.html", context)


@company_view("purchasing.view")
def settings(request: HttpRequest) -> HttpResponse:
    """The approval threshold: anyone in purchasing may read it, management changes it."""
    user, company = caller(request)
    current = selectors.settings_get(user=user, company=company)
    form = SettingsForm(request.POST or None, initial={"approval_threshold": current.approval_threshold})
    editable = can(request, "purchasing.settings")
    if request.method == "POST" and editable and form.is_valid():
        try:
            services.settings_update(actor=user, company=company, approval_threshold=form.cleaned_data["approval_threshold"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Purchasing settings saved."))
            return redirect("purchasing:settings")
    elif request.method == "POST":
        messages.error(request, _("Only management changes the approval threshold."))
    return render(
        request,
        "purchasing/settings.html",
        {
            "form": form,
            "editable": editable,
            "currency": company.base_currency,
            "breadcrumbs": [(_("Purchasing settings"), None)],
        },
    )
