"""Production order screens: list with search and state filter, new order, detail with costs and
the lifecycle actions (confirm, reserve again, produce a batch, finish, cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.production import selectors, services
from spona.back.production.forms import OrderFilterForm, OrderForm, ProduceForm
from spona.back.production.views.common import caller, crumbs, product_id_for, query_without_cursor
from spona.core.errors import ApplicationError, ValidationFailed
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25


@require_GET
@company_view("production.view")
def order_list(request: HttpRequest) -> HttpResponse:
    """List production orders newest first; an htmx request gets only the results."""
    user, company = caller(request)
    form = OrderFilterForm(request.GET)
    form.is_valid()  # a bad value drops only its own filter
    filters = {"q": form.cleaned_data.get("q") or "", "state": form.cleaned_data.get("state") or ""}
    try:
        page = selectors.order_list(
            user=user, company=company, cursor=form.cleaned_data.get("cursor") or None, limit=PAGE_SIZE, **filters
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.order_list(user=user, company=company, limit=PAGE_SIZE, **filters)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "production.manage"),
        "breadcrumbs": crumbs("orders"),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "production/partials/_order_results.html", context)
    return render(request, "production/order_list.html", context)


@company_view("production.manage")
def order_create(request: HttpRequest) -> HttpResponse:
    """Draft a production order from the product's active BoM."""
    user, company = caller(request)
    form = OrderForm(request.POST or None, warehouses=selectors.warehouse_choices(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.production_order_create(
                actor=user,
                company=company,
                product_id=product_id_for(user, company, data["product"], "product"),
                quantity=data["quantity"],
                warehouse_id=data["warehouse"],
                start_date=data["start_date"],
                due_date=data["due_date"],
                reference=data["reference"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"product_id": "product", "warehouse_id": "warehouse"})
        else:
            messages.success(request, _("Production order %(number)s drafted.") % {"number": order.number})
            return redirect("production:order_detail", pk=order.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New production order"),
            "cancel_url": reverse("production:order_list"),
            "breadcrumbs": crumbs("orders", (_("New"), None)),
        },
    )


@require_GET
@company_view("production.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One order: components (needed, reserved, short, consumed), operations and their dates, planned vs actual cost."""
    user, company = caller(request)
    order = selectors.order_get(user=user, company=company, order_id=pk)
    components = selectors.order_components(order)
    operations = selectors.order_operations(order)
    return render(
        request,
        "production/order_detail.html",
        {
            "order": order,
            "components": components,
            "operations": operations,
            "cost": selectors.order_cost(order, components, operations),
            "children": list(order.children.select_related("product").order_by("pk")),
            "can_manage": can(request, "production.manage"),
            "produce_form": ProduceForm(initial={"quantity": order.remaining_quantity.normalize()}),
            "breadcrumbs": crumbs("orders", (order.number, None)),
        },
    )


def _act(request: HttpRequest, pk: int, done: str, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    user, company = caller(request)
    selectors.order_get(user=user, company=company, order_id=pk)  # another company's order is a 404 whatever the input
    try:
        action(actor=user, company=company, order_id=pk)
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("production:order_detail", pk=pk)


@require_POST
@company_view("production.manage")
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a draft: components reserved (shortages shown), operations scheduled."""
    return _act(request, pk, _("Order confirmed."), services.production_order_confirm)


@require_POST
@company_view("production.manage")
def order_reserve(request: HttpRequest, pk: int) -> HttpResponse:
    """Reserve again what the order is short of."""
    return _act(request, pk, _("Components reserved again."), services.production_order_reserve)


@require_POST
@company_view("production.manage")
def order_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Make what remains and close the order."""
    return _act(request, pk, _("Order finished."), services.production_order_finish)


@require_POST
@company_view("production.manage")
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel an order before anything was produced."""
    return _act(request, pk, _("Order cancelled."), services.production_order_cancel)


@require_POST
@company_view("production.manage")
def order_produce(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a batch of good and scrapped units."""
    user, company = caller(request)
    selectors.order_get(user=user, company=company, order_id=pk)
    form = ProduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of good units (and of scrapped ones)."))
        return redirect("production:order_detail", pk=pk)
    try:
        services.production_order_produce(
            actor=user,
            company=company,
            order_id=pk,
            quantity=form.cleaned_data["quantity"],
            scrap_quantity=form.cleaned_data["scrap_quantity"] or 0,
            finish=form.cleaned_data["finish"],
        )
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Batch recorded."))
    return redirect("production:order_detail", pk=pk)
