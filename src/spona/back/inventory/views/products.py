"""Products: list and search, detail with stock and suppliers, create and edit, variants, supplier prices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.back.inventory import selectors, selectors_ui, services
from spona.back.inventory.forms import (
    PRODUCT_FIELD_MAP,
    AttributeForm,
    ProductFilterForm,
    ProductForm,
    SupplierInfoForm,
    TemplateForm,
    set_choices,
)
from spona.back.inventory.models import Product
from spona.back.inventory.views.common import (
    PAGE_SIZE,
    caller,
    crumb,
    is_partial,
    page_or_empty,
    parse_id,
    query_without_cursor,
)
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, can, company_view

RECENT_MOVES = 10


@require_GET
@company_view("inventory.view")
def product_list(request: HttpRequest) -> HttpResponse:
    """List products with search (SKU, name, barcode) and filters, with their stock; htmx gets only the results."""
    user, company = caller(request)
    form = ProductFilterForm(request.GET, categories=selectors_ui.category_list(user=user, company=company))
    form.is_valid()  # a bad value drops only its own filter
    data = form.cleaned_data
    page = page_or_empty(
        request,
        selectors.product_list,
        user=user,
        company=company,
        q=data.get("q") or "",
        category_id=data.get("category"),
        kind=data.get("kind") or "",
        active=form.active_filter(),
        cursor=data.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    totals = selectors_ui.on_hand_totals(user=user, company=company, product_ids=[p.pk for p in page.items])
    context = {
        "form": form,
        "page": page,
        "rows": [{"product": p, "totals": totals.get(p.pk, selectors_ui.Totals())} for p in page.items],
        "filtered": any(data.get(k) for k in ("q", "category", "kind", "active")),
        "first_page": bool(request.GET.get("cursor")),
        "query": query_without_cursor(request),
        "can_manage": can(request, "inventory.manage"),
        "breadcrumbs": [(_("Products"), None)],
    }
    if is_partial(request):
        return render(request, "inventory/partials/_product_results.html", context)
    return render(request, "inventory/product_list.html", context)


@require_GET
@company_view("inventory.view")
def product_search(request: HttpRequest) -> JsonResponse:
    """Answer the product picker: up to 10 active products matching ``q`` (SKU, name or barcode), as JSON."""
    user, company = caller(request)
    page = selectors.product_list(user=user, company=company, q=request.GET.get("q", "")[:100], limit=10)
    results = [{"id": p.pk, "name": p.name, "sku": p.sku, "unit": p.uom.name} for p in page.items]
    return JsonResponse({"results": results})


@require_GET
@company_view("inventory.view")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a product: stock per location, what is reserved, its recent moves and its suppliers' prices."""
    user, company = caller(request)
    product = selectors.product_get(user=user, company=company, product_id=pk)
    stock = selectors_ui.product_stock(user=user, company=company, product_id=pk)
    totals = selectors_ui.on_hand_totals(user=user, company=company, product_ids=[pk]).get(pk, selectors_ui.Totals())
    moves = selectors.move_history(user=user, company=company, product_id=pk, limit=RECENT_MOVES)
    return render(
        request,
        "inventory/product_detail.html",
        {
            "product": product,
            "stock": stock,
            "totals": totals,
            "moves": moves.items,
            "more_moves": moves.next_cursor is not None,
            "suppliers": list(product.suppliers.all()),
            "variants": list(product.attribute_values.all()),
            "can_manage": can(request, "inventory.manage"),
            "breadcrumbs": [crumb("product_list"), (str(product), None)],
        },
    )


def _product_form_page(request: HttpRequest, product: Product | None) -> HttpResponse:
    user, company = caller(request)
    options = {
        "units": selectors_ui.uom_list(user=user, company=company),
        "categories": selectors_ui.category_list(user=user, company=company),
    }
    initial = ProductForm.initial_for(product) if product else {}
    form = ProductForm(request.POST if request.method == "POST" else None, initial=initial, **options)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                saved = services.product_create(actor=user, company=company, data=form.to_input())
            else:
                saved = services.product_update(
                    actor=user,
                    company=company,
                    product_id=product.pk,
                    version=form.cleaned_data["version"] or 0,
                    data=form.to_input(),
                )
        except ApplicationError as exc:
            stale = exc.code == "conflict"
            apply_error(form, exc, field_map=PRODUCT_FIELD_MAP)
        else:
            messages.success(request, _("%(product)s is saved.") % {"product": saved})
            return redirect("inventory:product_detail", pk=saved.pk)
    title = _("New product") if product is None else _("Edit %(product)s") % {"product": product}
    return render(
        request,
        "inventory/product_form.html",
        {
            "form": form,
            "product": product,
            "stale": stale,
            "title": title,
            "no_units": not options["units"],
            "cancel_url": reverse("inventory:product_detail", args=[product.pk])
            if product
            else reverse("inventory:product_list"),
            "breadcrumbs": [
                crumb("product_list"),
                *([(str(product), reverse("inventory:product_detail", args=[product.pk]))] if product else []),
                (title, None),
            ],
        },
        status=409 if stale else 422 if form.errors else 200,
    )


@company_view("inventory.manage")
def product_create(request: HttpRequest) -> HttpResponse:
    """Add a product to the catalogue."""
    return _product_form_page(request, None)


@company_view("inventory.manage")
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a product; a stale edit (someone saved in between) is refused with a clear message."""
    user, company = caller(request)
    return _product_form_page(request, selectors.product_get(user=user, company=company, product_id=pk))


@company_view("inventory.manage")
def template_create(request: HttpRequest) -> HttpResponse:
    """Create a product with variants, one per combination of the chosen attribute values."""
    user, company = caller(request)
    values = selectors_ui.attribute_values(user=user, company=company)
    form = TemplateForm(
        request.POST if request.method == "POST" else None,
        units=selectors_ui.uom_list(user=user, company=company),
        categories=selectors_ui.category_list(user=user, company=company),
        values=values,
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(actor=user, company=company, data=form.to_input())
        except ApplicationError as exc:
            apply_error(form, exc, field_map={"value_ids": "values", "uom_id": "uom", "category_id": "category"})
        else:
            count = template.variants.count()
            messages.success(request, _("%(name)s is created with %(count)s variants.") % {"name": template.name, "count": count})
            return redirect(f"{reverse('inventory:product_list')}?q={template.sku_prefix}")
    title = _("New product with variants")
    return render(
        request,
        "inventory/template_form.html",
        {
            "form": form,
            "title": title,
            "no_values": not values,
            "cancel_url": reverse("inventory:product_list"),
            "breadcrumbs": [crumb("product_list"), (title, None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("inventory.manage")
def attribute_create(request: HttpRequest) -> HttpResponse:
    """Add a variant attribute (Size) with its values (S, M, L)."""
    user, company = caller(request)
    form = AttributeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            attribute = services.attribute_create(
                actor=user, company=company, name=form.cleaned_data["name"], values=form.value_list()
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Attribute %(name)s is added.") % {"name": attribute.name})
            return redirect("inventory:template_create")
    title = _("New variant attribute")
    return render(
        request,
        "inventory/simple_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("inventory:template_create"),
            "breadcrumbs": [crumb("product_list"), (title, None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("inventory.manage")
def supplier_info(request: HttpRequest, pk: int) -> HttpResponse:
    """Record how a supplier sells the product: their code, lead time and price breaks."""
    user, company = caller(request)
    product = selectors.product_get(user=user, company=company, product_id=pk)
    form = SupplierInfoForm(
        request.POST if request.method == "POST" else None,
        initial={"lead_time_days": 0, "sequence": 10},
        search_url=reverse("web:party_search"),
    )
    chosen = parse_id(request.POST.get("supplier")) if request.method == "POST" else 0
    set_choices(form.fields["supplier"], selectors_ui.party_choices(user=user, company=company, ids=[chosen]), lambda p: p.name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supplier_info_set(
                actor=user,
                company=company,
                product_id=product.pk,
                supplier_id=data["supplier"],
                price_breaks=data["price_breaks"],
                supplier_code=data["supplier_code"],
                supplier_name=data["supplier_name"],
                currency=data["currency"],
                lead_time_days=data["lead_time_days"],
                sequence=data["sequence"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, field_map={"supplier_id": "supplier"})
        else:
            messages.success(request, _("The supplier's prices are saved."))
            return redirect("inventory:product_detail", pk=product.pk)
    title = _("Supplier prices for %(product)s") % {"product": product}
    context: dict[str, Any] = {
        "form": form,
        "title": title,
        "cancel_url": reverse("inventory:product_detail", args=[product.pk]),
        "breadcrumbs": [
            crumb("product_list"),
            (str(product), reverse("inventory:product_detail", args=[product.pk])),
            (title, None),
        ],
    }
    return render(request, "inventory/simple_form.html", context, status=422 if form.errors else 200)
