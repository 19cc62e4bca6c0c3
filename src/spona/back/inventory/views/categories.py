"""Product categories: the tree products are filed in, and the costing method that values their stock."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.back.inventory import selectors_ui, services
from spona.back.inventory.forms import CategoryForm
from spona.back.inventory.views.common import caller, crumb
from spona.core.errors import ApplicationError
from spona.web.views.base import apply_error, can, company_view


@require_GET
@company_view("inventory.view")
def category_list(request: HttpRequest) -> HttpResponse:
    """List the categories with their costing method, number of products and whether their stock is valued."""
    user, company = caller(request)
    return render(
        request,
        "inventory/category_list.html",
        {
            "rows": selectors_ui.category_rows(user=user, company=company),
            "can_manage": can(request, "inventory.manage"),
            "breadcrumbs": [crumb("product_list"), (_("Categories"), None)],
        },
    )


def _form_page(request: HttpRequest, form: CategoryForm, title: str) -> HttpResponse:
    return render(
        request,
        "inventory/simple_form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("inventory:category_list"),
            "breadcrumbs": [crumb("product_list"), (_("Categories"), reverse("inventory:category_list")), (title, None)],
        },
        status=422 if form.errors else 200,
    )


@company_view("inventory.manage")
def category_create(request: HttpRequest) -> HttpResponse:
    """Add a category, at the top or inside another, with its costing method."""
    user, company = caller(request)
    parents = selectors_ui.category_list(user=user, company=company)
    form = CategoryForm(request.POST if request.method == "POST" else None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            category = services.category_create(
                actor=user, company=company, name=data["name"], parent_id=data["parent"], costing_method=data["costing_method"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Category %(category)s is added.") % {"category": category.name})
            return redirect("inventory:category_list")
    return _form_page(request, form, _("New category"))


@company_view("inventory.manage")
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename or move a category; its costing method only while none of its stock is valued."""
    user, company = caller(request)
    category, valued = selectors_ui.category_get(user=user, company=company, category_id=pk)
    parents = [c for c in selectors_ui.category_list(user=user, company=company) if c.pk != category.pk]
    initial = {"name": category.name, "parent": category.parent_id, "costing_method": category.costing_method}
    form = CategoryForm(request.POST if request.method == "POST" else None, initial=initial, parents=parents, locked=valued)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_update(
                actor=user,
                company=company,
                category_id=category.pk,
                name=data["name"],
                parent_id=data["parent"],
                costing_method=data["costing_method"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Category %(category)s is saved.") % {"category": data["name"]})
            return redirect("inventory:category_list")
    return _form_page(request, form, _("Edit category %(category)s") % {"category": category.name})
