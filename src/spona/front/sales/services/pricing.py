"""Sales settings, customer groups and terms, price lists, and the price a customer pays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q

from spona.back.finance.selectors.sales import income_account, payment_term_ids, sales_taxes
from spona.back.inventory.selectors import products_for_sale, warehouse_choices
from spona.core import audit
from spona.core.db import unique_row
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.money import to_decimal
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.sales.models import CustomerGroup, CustomerTerms, PriceList, PriceListItem, SalesSettings

ZERO = Decimal(0)


def settings_for(*, company: Company) -> SalesSettings:
    """The company's sales settings, made with the defaults (10 % discount limit, first income account) on first use."""
    found = unique_row(SalesSettings.objects.filter(company=company).select_related("income_account"))
    if found is not None:
        return found
    settings, _created = SalesSettings.objects.get_or_create(
        company=company, defaults={"income_account": income_account(company=company)}
    )
    return settings


def _check_settings(company: Company, credit_policy: str, default_tax_id: int | None, warehouse_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if credit_policy not in SalesSettings.CreditPolicy.values:
        errors["credit_policy"] = ["Block the order or ask a manager."]
    if default_tax_id is not None and default_tax_id not in {t.pk for t in sales_taxes(company=company)}:
        errors["default_tax_id"] = ["Choose a sales tax of this company."]
    if warehouse_id is not None and warehouse_id not in dict(warehouse_choices(company=company)):
        errors["warehouse_id"] = ["Choose a warehouse of this company."]
    if errors:
        raise ValidationFailed("The sales settings are not valid.", field_errors=errors)


@transaction.atomic
def settings_update(
    *,
    actor: User | None,
    company: Company,
    discount_limit: Decimal,
    credit_policy: str,
    validity_days: int = 30,
    default_tax_id: int | None = None,
    warehouse_id: int | None = None,
) -> SalesSettings:
    """Change the sales rules of a company (management): the discount that needs approval, what happens
    above a credit limit, how long a quotation is valid, the default tax and the warehouse to ship from.

    Raises ValidationFailed for an unknown policy, another company's tax or warehouse, or a limit outside 0-100 %.
    """
    if actor is not None:
        require(actor, "sales.approve", company)
    settings = SalesSettings.objects.select_for_update().get(pk=settings_for(company=company).pk)
    fields = ["discount_limit", "credit_policy", "validity_days", "default_tax", "warehouse"]
    before = audit.snapshot(settings, fields)
    settings.discount_limit = to_decimal(discount_limit).quantize(Decimal("0.01"), ROUND_HALF_UP)
    settings.credit_policy = credit_policy
    settings.validity_days = validity_days
    settings.default_tax_id = default_tax_id
    settings.warehouse_id = warehouse_id
    _check_settings(company, credit_policy, default_tax_id, warehouse_id)
    full_clean_or_raise(settings, exclude=["company"])
    settings.save()
    audit.record(actor=actor, target=settings, action="updated", changes=audit.diff(before, audit.snapshot(settings, fields)))
    return settings


@transaction.atomic
def customer_group_create(*, actor: User | None, company: Company, name: str) -> CustomerGroup:
    """Add a customer group; the name is unique in the company."""
    if actor is not None:
        require(actor, "sales.manage", company)
    if CustomerGroup.objects.filter(company=company, name__iexact=name.strip()).exists():
        raise ValidationFailed("A group with this name exists.", field_errors={"name": ["Already used."]})
    group = CustomerGroup(company=company, name=name.strip())
    full_clean_or_raise(group, exclude=["company"])
    group.save()
    audit.record(actor=actor, target=group, action="created")
    return group


@dataclass(frozen=True)
class PriceIn:
    """One price of a list: a product from a quantity on."""

    product_id: int
    price: Decimal
    min_quantity: Decimal = Decimal(1)


def _check_items(company: Company, items: Sequence[PriceIn]) -> None:
    known = products_for_sale(company=company, ids=[i.product_id for i in items])
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, Decimal]] = set()
    for n, item in enumerate(items):
        problems = []
        if item.product_id not in known:
            problems.append("Choose a product of this company.")
        if to_decimal(item.price) < 0:
            problems.append("The price cannot be negative.")
        if to_decimal(item.min_quantity) <= 0:
            problems.append("The quantity break must be positive.")
        key = (item.product_id, to_decimal(item.min_quantity))
        if key in seen:
            problems.append("This product already has a price from this quantity.")
        seen.add(key)
        if problems:
            errors[f"items[{n}]"] = problems
    if errors:
        raise ValidationFailed("Some prices are not valid.", field_errors=errors)


def _check_list(company: Company, pk: int | None, name: str, currency: str, group_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Name the price list."]
    elif PriceList.objects.filter(company=company, name__iexact=name.strip()).exclude(pk=pk).exists():
        errors["name"] = ["A price list with this name exists."]
    if len(currency.strip()) != 3 or not currency.strip().isalpha():
        errors["currency"] = ["Give a three-letter currency code."]
    if group_id is not None and not CustomerGroup.objects.filter(pk=group_id, company=company).exists():
        errors["customer_group_id"] = ["Choose a group of this company."]
    if errors:
        raise ValidationFailed("The price list is not valid.", field_errors=errors)


@transaction.atomic
def price_list_save(
    *,
    actor: User | None,
    company: Company,
    name: str,
    currency: str,
    items: Sequence[PriceIn],
    price_list_id: int | None = None,
    version: int | None = None,
    customer_group_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    sequence: int = 10,
    is_active: bool = True,
) -> PriceList:
    """Create a price list, or replace an existing one's header and prices (a stale ``version`` raises Conflict).

    Raises ValidationFailed for a duplicate name, an unknown group or product, a negative price,
    the same product and quantity break twice, or dates in the wrong order.
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    price_list = None
    if price_list_id is not None:
        price_list = PriceList.objects.select_for_update().filter(pk=price_list_id, company=company).first()
        if price_list is None:
            raise NotFound("No such price list.")
        if version is not None and version != price_list.version:
            raise Conflict("Someone changed this price list since you opened it; reload and try again.", code="stale_version")
    _check_list(company, price_list_id, name, currency, customer_group_id)
    _check_items(company, items)
    if price_list is None:
        price_list = PriceList(company=company)
    else:
        price_list.version += 1
    price_list.name, price_list.currency = name.strip(), currency.strip().upper()
    price_list.customer_group_id, price_list.date_from, price_list.date_to = customer_group_id, date_from, date_to
    price_list.sequence, price_list.is_active = sequence, is_active
    full_clean_or_raise(price_list, exclude=["company", "customer_group"])
    created = price_list.pk is None
    price_list.save()
    if not created:
        price_list.items.all().delete()
    PriceListItem.objects.bulk_create(
        [
            PriceListItem(
                company=company,
                price_list=price_list,
                product_id=i.product_id,
                min_quantity=to_decimal(i.min_quantity),
                price=to_decimal(i.price),
            )
            for i in items
        ]
    )
    audit.record(
        actor=actor, target=price_list, action="created" if created else "updated", changes={"items": [None, len(items)]}
    )
    return price_list


@transaction.atomic
def customer_terms_set(
    *,
    actor: User | None,
    company: Company,
    party_id: int,
    customer_group_id: int | None = None,
    price_list_id: int | None = None,
    payment_term_id: int | None = None,
    credit_limit: Decimal | None = None,
    version: int | None = None,
) -> CustomerTerms:
    """Set how a customer buys: group, price list, payment term, credit limit (None: no limit).

    ``version`` is the one the editor saw (0: the customer had no terms yet); a stale one
    raises Conflict instead of overwriting someone else's change (QUALITY C2).
    """
    if actor is not None:
        require(actor, "sales.manage", company)
    errors: dict[str, list[str]] = {}
    if not Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).exists():
        errors["party_id"] = ["Choose a party of this company."]
    if customer_group_id is not None and not CustomerGroup.objects.filter(pk=customer_group_id, company=company).exists():
        errors["customer_group_id"] = ["Choose a group of this company."]
    if price_list_id is not None and not PriceList.objects.filter(pk=price_list_id, company=company).exists():
        errors["price_list_id"] = ["Choose a price list of this company."]
    if payment_term_id is not None and payment_term_id not in payment_term_ids(company=company, ids=[payment_term_id]):
        errors["payment_term_id"] = ["Choose a payment term of this company."]
    if credit_limit is not None and to_decimal(credit_limit) < 0:
        errors["credit_limit"] = ["Give a limit of zero or more, or none."]
    if errors:
        raise ValidationFailed("The customer terms are not valid.", field_errors=errors)
    terms = CustomerTerms.objects.select_for_update().filter(company=company, party_id=party_id).first()
    if version is not None and version != (terms.version if terms else 0):
        raise Conflict("Someone changed these terms since you opened them; reload and try again.", code="stale_version")
    before = audit.snapshot(terms, ["credit_limit", "price_list", "payment_term"]) if terms else {}
    if terms is None:
        terms = CustomerTerms(company=company, party_id=party_id)
    else:
        terms.version += 1
    terms.customer_group_id, terms.price_list_id, terms.payment_term_id = customer_group_id, price_list_id, payment_term_id
    terms.credit_limit = None if credit_limit is None else to_decimal(credit_limit)
    terms.save()
    audit.record(
        actor=actor,
        target=terms,
        action="updated",
        changes=audit.diff(before, audit.snapshot(terms, ["credit_limit", "price_list", "payment_term"])),
    )
    return terms


@dataclass(frozen=True)
class ResolvedPrice:
    """A unit price and the list it came from (None: the product's catalogue price)."""

    price: Decimal
    price_list_id: int | None


class Unread:
    """Stands for customer terms not read yet (None being a customer without terms)."""


UNREAD = Unread()


def customer_terms(*, company: Company, party_id: int) -> CustomerTerms | None:
    """The customer's terms (price list, group, payment term, credit limit); None when it has none."""
    return CustomerTerms.objects.filter(company=company, party_id=party_id).first()


def applicable_lists(
    *, company: Company, party_id: int, currency: str, on: dt.date, terms: CustomerTerms | Unread | None = UNREAD
) -> list[PriceList]:
    """The price lists that apply to a customer on a day in a currency, the one that wins first.

    The customer's own list, then its group's lists, then general lists; within each, lower
    ``sequence`` first. ``terms`` are the customer's, when the caller has read them.
    """
    if isinstance(terms, Unread):
        terms = customer_terms(company=company, party_id=party_id)
    group_id = terms.customer_group_id if terms else None
    lists = list(
        PriceList.objects.filter(company=company, is_active=True, currency=currency)
        .filter(Q(date_from__isnull=True) | Q(date_from__lte=on), Q(date_to__isnull=True) | Q(date_to__gte=on))
        .filter(Q(customer_group__isnull=True) | Q(customer_group_id=group_id) | Q(pk=terms.price_list_id if terms else None))
    )

    def rank(pl: PriceList) -> tuple[int, int, int]:
        own = 0 if terms is not None and pl.pk == terms.price_list_id else 1 if pl.customer_group_id is not None else 2
        return (own, pl.sequence, pl.pk)

    return sorted(lists, key=rank)


def prices_resolve(
    *,
    company: Company,
    party_id: int,
    currency: str,
    on: dt.date,
    wanted: Iterable[tuple[int, Decimal]],
    catalogue: dict[int, Decimal],
    terms: CustomerTerms | Unread | None = UNREAD,
) -> dict[tuple[int, Decimal], ResolvedPrice]:
    """Resolve the unit price of each (product, quantity): the first applicable list holding the
    product, at its largest quantity break not above the quantity; else the catalogue price.

    ``catalogue`` maps product ids to their catalogue sale price (used in the company currency
    only); ``terms``, the customer's terms when the caller has read them. Two queries whatever
    the number of lines (three without the terms).
    """
    wanted = list(wanted)
    lists = applicable_lists(company=company, party_id=party_id, currency=currency, on=on, terms=terms)
    items: dict[tuple[int, int], list[PriceListItem]] = {}
    if lists:
        for item in PriceListItem.objects.filter(
            price_list_id__in=[pl.pk for pl in lists], product_id__in={p for p, _q in wanted}
        ).order_by("-min_quantity"):
            items.setdefault((item.price_list_id, item.product_id), []).append(item)
    result: dict[tuple[int, Decimal], ResolvedPrice] = {}
    for product_id, quantity in wanted:
        found = None
        for pl in lists:
            breaks = items.get((pl.pk, product_id))
            if breaks:
                found = next((ResolvedPrice(i.price, pl.pk) for i in breaks if i.min_quantity <= quantity), None)
                if found is not None:
                    break
        if found is None:
            price = catalogue.get(product_id, ZERO) if currency == company.base_currency else ZERO
            found = ResolvedPrice(price, None)
        result[(product_id, quantity)] = found
    return result
