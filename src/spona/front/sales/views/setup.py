"""Sales set-up screens: price lists and their prices, customer terms and groups, the company's sales settings."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.back.finance.selectors.sales import payment_terms, sales_taxes
from spona.back.inventory.selectors import product_list, products_for_sale, warehouse_choices
from spona.core.errors import ApplicationError
from spona.core.models import Company, Party, User
from spona.core.selectors import Page
from spona.front.sales import selectors, services
from spona.front.sales.forms import EXTRA_ROWS, GroupForm, PriceListForm, SettingsForm, TermsForm
from spona.front.sales.models import PriceList
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25


def caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


def _page(request: HttpRequest, fetch: Callable[..., Page]) -> tuple[Page, str]:
    """One page of a list, by the ``q`` and ``cursor`` parameters; a forged cursor shows the first page."""
    q = request.GET.get("q", "")[:100]
    try:
        return fetch(q=q, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE), q
    except (ApplicationError, ValueError):
        return fetch(q=q, limit=PAGE_SIZE), q


def _groups(user: User, company: Company) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in selectors.customer_groups(user=user, company=company)]


@require_GET
@company_view("sales.view")
def pricelist_list(request: HttpRequest) -> HttpResponse:
    """The company's price lists, searchable by name."""
    user, company = caller(request)
    page, q = _page(request, lambda **kw: selectors.pricelist_page(user=user, company=company, **kw))
    return render(request, "sales/pricelist_list.html", {"page": page, "q": q, "can_manage": can(request, "sales.manage")})


def _pricelist_form(request: HttpRequest, price_list: PriceList | None) -> HttpResponse:
    user, company = caller(request)
    existing = list(price_list.items.all()) if price_list else []
    listed = product_list(user=user, company=company, limit=200).items
    products = {p.pk: p for p in listed} | products_for_sale(company=company, ids=[i.product_id for i in existing])
    # Every existing price, then a few empty rows for new ones (save and reopen for more).
    rows = len(existing) + EXTRA_ROWS
    form = PriceListForm(
        request.POST or None,
        initial=PriceListForm.initial_for(price_list),
        groups=_groups(user, company),
        products=[(p.pk, f"{p.sku} · {p.name}") for p in sorted(products.values(), key=lambda p: (p.sku, p.pk))],
        rows=rows,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.price_list_save(
                actor=user,
                company=company,
                price_list_id=price_list.pk if price_list else None,
                version=data["version"] if price_list else None,
                name=data["name"],
                currency=data["currency"],
                customer_group_id=data["customer_group"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                sequence=data["sequence"],
                is_active=data["is_active"],
                items=form.items(),
            )
        except ApplicationError as exc:
            apply_error(form, exc, form.field_map())
        else:
            messages.success(request, _("Price list %(name)s saved.") % {"name": saved.name})
            return redirect("sales:pricelist_list")
    title = _("Price list %(name)s") % {"name": price_list.name} if price_list else _("New price list")
    return render(
        request, "sales/pricelist_form.html", {"form": form, "title": title, "cancel_url": reverse("sales:pricelist_list")}
    )


@company_view("sales.manage")
def pricelist_create(request: HttpRequest) -> HttpResponse:
    """Make a price list: currency, customer group, dates, and prices by quantity break."""
    return _pricelist_form(request, None)


@company_view("sales.manage")
def pricelist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a price list and its prices; a stale form (someone saved meanwhile) is refused."""
    user, company = caller(request)
    return _pricelist_form(request, selectors.pricelist_get(user=user, company=company, price_list_id=pk))


@require_GET
@company_view("sales.view")
def terms_list(request: HttpRequest) -> HttpResponse:
    """Customers with their own sales terms (group, price list, payment term, credit limit), and the customer groups."""
    user, company = caller(request)
    page, q = _page(request, lambda **kw: selectors.terms_page(user=user, company=company, **kw))
    return render(
        request,
        "sales/terms_list.html",
        {
            "page": page,
            "q": q,
            "groups": selectors.customer_groups(user=user, company=company),
            "group_form": GroupForm(),
            "can_manage": can(request, "sales.manage"),
        },
    )


def _terms_form(request: HttpRequest, party: Party | None) -> HttpResponse:
    user, company = caller(request)
    terms = selectors.terms_get(user=user, company=company, party_id=party.pk) if party else None
    if party is None:
        parties = list(
            Party.objects.filter(company=company, merged_into__isnull=True).order_by("name").values_list("pk", "name")[:500]
        )
    else:
        parties = [(party.pk, party.name)]
    initial: dict[str, object] = {"party": party.pk if party else request.GET.get("party", ""), "version": 0}
    if terms is not None:
        initial |= {
            "customer_group": terms.customer_group_id,
            "price_list": terms.price_list_id,
            "payment_term": terms.payment_term_id,
            "credit_limit": terms.credit_limit,
            "version": terms.version,
        }
    form = TermsForm(
        request.POST or None,
        initial=initial,
        parties=parties,
        groups=_groups(user, company),
        price_lists=[(p.pk, p.name) for p in selectors.pricelist_list(user=user, company=company)],
        terms=payment_terms(company=company),
    )
    if party is not None:
        form.fields["party"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.customer_terms_set(
                actor=user,
                company=company,
                party_id=data["party"],
                customer_group_id=data["customer_group"],
                price_list_id=data["price_list"],
                payment_term_id=data["payment_term"],
                credit_limit=data["credit_limit"],
                version=data["version"] if data["version"] is not None else 0,
            )
        except ApplicationError as exc:
            apply_error(
                form,
                exc,
                {
                    "party_id": "party",
                    "customer_group_id": "customer_group",
                    "price_list_id": "price_list",
                    "payment_term_id": "payment_term",
                },
            )
        else:
            messages.success(request, _("Customer terms saved."))
            return redirect("sales:terms_list")
    title = _("Sales terms of %(name)s") % {"name": party.name} if party else _("New customer terms")
    return render(request, "web/components/form.html", {"form": form, "title": title, "cancel_url": reverse("sales:terms_list")})


@company_view("sales.manage")
def terms_create(request: HttpRequest) -> HttpResponse:
    """Give a customer its own sales terms."""
    return _terms_form(request, None)


@company_view("sales.manage")
def terms_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one customer's sales terms (``pk`` is the customer's party id)."""
    user, company = caller(request)
    selectors.terms_get(user=user, company=company, party_id=pk)
    return _terms_form(request, Party.objects.get(company=company, pk=pk))


@require_POST
@company_view("sales.manage")
def group_create(request: HttpRequest) -> HttpResponse:
    """Add a customer group (retail, wholesale, distributors) for price lists and terms."""
    user, company = caller(request)
    form = GroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the group."))
        return redirect("sales:terms_list")
    try:
        group = services.customer_group_create(actor=user, company=company, name=form.cleaned_data["name"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Customer group %(name)s added.") % {"name": group.name})
    return redirect("sales:terms_list")


@company_view("sales.approve")
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The company's sales rules: discount limit, credit policy, quotation validity, default tax, warehouse."""
    user, company = caller(request)
    current = services.settings_for(company=company)
    form = SettingsForm(
        request.POST or None,
        initial={
            "discount_limit": current.discount_limit,
            "credit_policy": current.credit_policy,
            "validity_days": current.validity_days,
            "default_tax": current.default_tax_id,
            "warehouse": current.warehouse_id,
        },
        taxes=[(t.pk, t.name) for t in sales_taxes(company=company)],
        warehouses=warehouse_choices(company=company),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.settings_update(
                actor=user,
                company=company,
                discount_limit=data["discount_limit"],
                credit_policy=data["credit_policy"],
                validity_days=data["validity_days"],
                default_tax_id=data["default_tax"],
                warehouse_id=data["warehouse"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"default_tax_id": "default_tax", "warehouse_id": "warehouse"})
        else:
            messages.success(request, _("Sales settings saved."))
            return redirect("sales:settings")
    return render(
        request,
        "web/components/form.html",
        {"form": form, "title": _("Sales settings"), "cancel_url": reverse("sales:quotation_list")},
    )
