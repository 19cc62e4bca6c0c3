"""Bill-of-materials screens: list, new version (typed lines), detail with versions, activation and the product's route."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.production import selectors, services
from spona.back.production.forms import BomFilterForm, BomForm, RouteForm
from spona.back.production.views.common import caller, crumbs, product_id_for, query_without_cursor
from spona.core.errors import ApplicationError, ValidationFailed
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25


@require_GET
@company_view("production.view")
def bom_list(request: HttpRequest) -> HttpResponse:
    """List BoM versions newest first, searchable by product."""
    user, company = caller(request)
    form = BomFilterForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q") or ""
    try:
        page = selectors.bom_list(
            user=user, company=company, q=q, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.bom_list(user=user, company=company, q=q, limit=PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(q),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "production.manage"),
        "breadcrumbs": crumbs("boms"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "production/partials/_bom_results.html", context)
    return render(request, "production/bom_list.html", context)


def _bom_input(request: HttpRequest, form: BomForm) -> services.BomInput:
    user, company = caller(request)
    data = form.cleaned_data
    centres = {c.code: c.pk for c in selectors.work_centre_list(user=user, company=company)}
    lines = [
        services.BomLineInput(product_id=product_id_for(user, company, sku, "lines"), quantity=quantity, scrap_percent=scrap)
        for sku, quantity, scrap in data["lines"]
    ]
    operations = []
    for code, per_unit, setup, name in data["operations"]:
        if code not in centres:
            raise ValidationFailed(
                _("No work centre %(code)s.") % {"code": code}, field_errors={"operations": [_("Unknown work centre.")]}
            )
        operations.append(
            services.BomOperationInput(name=name, work_centre_id=centres[code], minutes_per_unit=per_unit, setup_minutes=setup)
        )
    return services.BomInput(
        product_id=product_id_for(user, company, data["product"], "product"),
        output_quantity=data["output_quantity"],
        lines=lines,
        operations=operations,
        notes=data["notes"],
    )


@company_view("production.manage")
def bom_create(request: HttpRequest) -> HttpResponse:
    """Add a BoM version: a product, its output quantity, components and operations."""
    user, company = caller(request)
    form = BomForm(request.POST or None, initial={"product": request.GET.get("product", "")[:60]})
    if request.method == "POST" and form.is_valid():
        try:
            bom = services.bom_create(
                actor=user, company=company, data=_bom_input(request, form), activate=form.cleaned_data["activate"]
            )
        except ApplicationError as exc:
            field_map = {"product_id": "product", "output_quantity": "output_quantity"}
            field_map.update({name: "lines" for name in getattr(exc, "field_errors", {}) if name.startswith("lines")})
            field_map.update({name: "operations" for name in getattr(exc, "field_errors", {}) if name.startswith("operations")})
            apply_error(form, exc, field_map)
        else:
            messages.success(request, _("Bill of materials version %(v)s saved.") % {"v": bom.version})
            return redirect("production:bom_detail", pk=bom.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New bill of materials"),
            "cancel_url": reverse("production:bom_list"),
            "breadcrumbs": crumbs("boms", (_("New"), None)),
        },
    )


@require_GET
@company_view("production.view")
def bom_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One BoM version: components with scrap, operations, the product's other versions and its route."""
    user, company = caller(request)
    bom = selectors.bom_get(user=user, company=company, bom_id=pk)
    route = selectors.route_map(user=user, company=company, product_ids=[bom.product_id])[bom.product_id]
    return render(
        request,
        "production/bom_detail.html",
        {
            "bom": bom,
            "versions": selectors.bom_versions(user=user, company=company, product_id=bom.product_id),
            "route_form": RouteForm(initial={"route": route}),
            "can_manage": can(request, "production.manage"),
            "breadcrumbs": crumbs("boms", (f"{bom.product.sku} v{bom.version}", None)),
        },
    )


@require_POST
@company_view("production.manage")
def bom_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make this version the active one."""
    user, company = caller(request)
    selectors.bom_get(user=user, company=company, bom_id=pk)
    try:
        services.bom_activate(actor=user, company=company, bom_id=pk)
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This version is now the active one."))
    return redirect("production:bom_detail", pk=pk)


@require_POST
@company_view("production.manage")
def bom_route(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the route of the BoM's product."""
    user, company = caller(request)
    bom = selectors.bom_get(user=user, company=company, bom_id=pk)
    form = RouteForm(request.POST)
    if form.is_valid():
        services.product_route_set(actor=user, company=company, product_id=bom.product_id, route=form.cleaned_data["route"])
        messages.success(request, _("Route saved."))
    else:
        messages.error(request, _("Choose a route."))
    return redirect("production:bom_detail", pk=pk)
