"""Warehouses and their location trees, physical counts and scrap."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.back.inventory import selectors, selectors_ui, services
from spona.back.inventory.forms import CountExtraForm, CountForm, LocationForm, ScrapForm, WarehouseForm, set_choices
from spona.back.inventory.models import Location
from spona.back.inventory.views.common import caller, crumb, parse_id
from spona.back.inventory.views.transfers import refusal
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, can, company_view

EXTRA_ROWS = 3


@require_GET
@company_view("inventory.view")
def warehouse_list(request: HttpRequest) -> HttpResponse:
    """Show each warehouse with its location tree, and the company's virtual locations."""
    user, company = caller(request)
    locations = list(selectors.location_list(user=user, company=company).select_related("warehouse"))
    warehouses = selectors_ui.warehouse_list(user=user, company=company)
    tree = {w.pk: [] for w in warehouses}
    virtual = []
    for location in locations:
        depth = location.path.count("/") - 2
        entry = {"location": location, "depth": max(0, min(depth, 5))}
        if location.warehouse_id in tree:
            tree[location.warehouse_id].append(entry)
        elif location.warehouse_id is None:
            virtual.append(entry)
    return render(
        request,
        "inventory/warehouse_list.html",
        {
            "warehouses": [{"warehouse": w, "locations": tree[w.pk]} for w in warehouses],
            "virtual": virtual,
            "can_manage": can(request, "inventory.manage"),
            "breadcrumbs": [(_("Warehouses & locations"), None)],
        },
    )


@company_view("inventory.manage")
def warehouse_create(request: HttpRequest) -> HttpResponse:
    """Open a warehouse; its location tree (view, stock, input, output) is created with it."""
    user, company = caller(request)
    form = WarehouseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            warehouse = services.warehouse_create(actor=user, company=company, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Warehouse %(warehouse)s is open.") % {"warehouse": warehouse})
            return redirect("inventory:warehouse_list")
    title = _("New warehouse")
    return render(
        request,
        "inventory/simple_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("inventory:warehouse_list"),
            "breadcrumbs": [crumb("warehouse_list"), (title, None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("inventory.manage")
def location_create(request: HttpRequest) -> HttpResponse:
    """Add a zone, aisle or shelf inside a warehouse."""
    user, company = caller(request)
    parents = [x for x in selectors_ui.internal_locations(user=user, company=company)]
    parents += [w.view_location for w in selectors_ui.warehouse_list(user=user, company=company) if w.view_location]
    parents.sort(key=lambda x: x.full_name)
    form = LocationForm(
        request.POST if request.method == "POST" else None,
        initial={"parent": parse_id(request.GET.get("parent")) or None},
        parents=parents,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = services.location_create(
                actor=user,
                company=company,
                parent_id=data["parent"],
                name=data["name"],
                kind=data["kind"],
                barcode=data["barcode"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Location %(location)s is added.") % {"location": location.full_name})
            return redirect("inventory:warehouse_list")
    title = _("New location")
    return render(
        request,
        "inventory/simple_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("inventory:warehouse_list"),
            "breadcrumbs": [crumb("warehouse_list"), (title, None)],
        },
        status=422 if form.errors else 200,
    )


@require_GET
@company_view("inventory.view")
def count_list(request: HttpRequest) -> HttpResponse:
    """List the locations that hold stock, each with a link to count it."""
    user, company = caller(request)
    return render(
        request,
        "inventory/count_list.html",
        {
            "locations": selectors_ui.internal_locations(user=user, company=company),
            "can_manage": can(request, "inventory.manage"),
            "breadcrumbs": [(_("Counts"), None)],
        },
    )


@company_view("inventory.manage")
def count_location(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a location: type what is really there; applying it moves the differences to or from inventory loss."""
    user, company = caller(request)
    location = selectors_ui.location_get(user=user, company=company, location_id=pk)
    if location.kind != Location.Kind.INTERNAL:
        messages.error(request, _("Stock is counted in locations that hold stock."))
        return redirect("inventory:count_list")
    sheet = selectors_ui.count_sheet(user=user, company=company, location_id=pk)
    posted = request.method == "POST"
    form = CountForm(request.POST if posted else None, sheet=sheet)
    search_url = reverse("inventory:product_search")
    extras = [
        CountExtraForm(request.POST if posted else None, prefix=f"extra-{i}", search_url=search_url) for i in range(EXTRA_ROWS)
    ]
    chosen = [parse_id(request.POST.get(f"extra-{i}-product")) for i in range(EXTRA_ROWS)] if posted else []
    products = selectors_ui.product_choices(user=user, company=company, ids=chosen)
    for extra in extras:
        set_choices(extra.fields["product"], products, lambda p: f"[{p.sku}] {p.name}")
    if posted and form.is_valid() and all(e.is_valid() for e in extras):
        counts = form.counts() + [c for c in (e.to_count() for e in extras) if c is not None]
        if not counts:
            form.add_error(None, _("Type at least one counted quantity."))
        else:
            try:
                moves = services.inventory_count_apply(
                    actor=user, company=company, location_id=pk, counts=counts, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The count of %(location)s is applied: %(count)s adjustment(s).")
                    % {"location": location.full_name, "count": len(moves)},
                )
                return redirect(f"{reverse('inventory:stock_list')}?location={pk}")
    title = _("Count %(location)s") % {"location": location.full_name}
    return render(
        request,
        "inventory/count_form.html",
        {
            "form": form,
            "extras": extras,
            "location": location,
            "title": title,
            "breadcrumbs": [crumb("count_list"), (title, None)],
        },
        status=422 if form.errors or any(e.errors for e in extras) else 200,
    )


@company_view("inventory.manage")
def scrap(request: HttpRequest) -> HttpResponse:
    """Write off damaged or expired stock to the inventory-loss location."""
    user, company = caller(request)
    posted = request.method == "POST"
    form = ScrapForm(
        request.POST if posted else None,
        initial={
            "product": parse_id(request.GET.get("product")) or None,
            "location": parse_id(request.GET.get("location")) or None,
        },
        locations=selectors_ui.internal_locations(user=user, company=company),
        search_url=reverse("inventory:product_search"),
    )
    chosen = parse_id(request.POST.get("product") if posted else request.GET.get("product"))
    set_choices(
        form.fields["product"],
        selectors_ui.product_choices(user=user, company=company, ids=[chosen]),
        lambda p: f"[{p.sku}] {p.name}",
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            move = services.scrap(
                actor=user,
                company=company,
                product_id=data["product"],
                location_id=data["location"],
                quantity=data["quantity"],
                reason=data["reason"],
                lot=data["lot"],
            )
        except ApplicationError as exc:
            form.add_error(None, refusal(exc))
        else:
            messages.success(request, _("%(sku)s is scrapped.") % {"sku": move.product.sku})
            return redirect("inventory:product_detail", pk=move.product_id)
    title = _("Scrap stock")
    return render(
        request,
        "inventory/simple_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("inventory:stock_list"),
            "breadcrumbs": [crumb("stock_list"), (title, None)],
        },
        status=422 if form.errors else 200,
    )
