"""Price resolution: the customer's own list, then its group's, then general lists; quantity breaks; dates; currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from spona.core.errors import ValidationFailed
from spona.front.sales import services
from tests.factories import party

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _price(world, quantity, party=None):
    chair = world.products[0]
    found = services.prices_resolve(
        company=world.company,
        party_id=(party or world.customer).pk,
        currency="EUR",
        on=TODAY,
        wanted=[(chair.pk, D(quantity))],
        catalogue={chair.pk: chair.sale_price},
    )
    return found[(chair.pk, D(quantity))].price


def test_catalogue_price_without_lists_then_quantity_breaks_of_a_general_list(world):
    # given no price list: the catalogue price
    assert _price(world, 1) == D("10.00")
    # when a general list prices chairs at 9.50, and 8.00 from 10 on
    chair = world.products[0]
    services.price_list_save(
        actor=world.seller,
        company=world.company,
        name="Standard",
        currency="EUR",
        items=[services.PriceIn(chair.pk, D("9.50")), services.PriceIn(chair.pk, D("8.00"), D(10))],
    )
    # then the largest break not above the quantity applies
    assert (_price(world, 1), _price(world, 9), _price(world, 10), _price(world, 50)) == (
        D("9.50"),
        D("9.50"),
        D("8.00"),
        D("8.00"),
    )


def test_group_list_beats_general_and_own_list_beats_group_within_dates(world):
    # given a general list, a wholesale group list and a list of the customer's own, the last one out of date range
    chair = world.products[0]
    wholesale = services.customer_group_create(actor=world.seller, company=world.company, name="Wholesale")
    save = services.price_list_save
    save(actor=world.seller, company=world.company, name="General", currency="EUR", items=[services.PriceIn(chair.pk, D(9))])
    save(
        actor=world.seller,
        company=world.company,
        name="Wholesale",
        currency="EUR",
        customer_group_id=wholesale.pk,
        items=[services.PriceIn(chair.pk, D(7))],
    )
    own = save(
        actor=world.seller,
        company=world.company,
        name="Kupac special",
        currency="EUR",
        date_from=TODAY - dt.timedelta(days=30),
        date_to=TODAY - dt.timedelta(days=1),
        items=[services.PriceIn(chair.pk, D(5))],
    )
    # when the customer joins the wholesale group with its own (expired) list
    services.customer_terms_set(
        actor=world.seller,
        company=world.company,
        party_id=world.customer.pk,
        customer_group_id=wholesale.pk,
        price_list_id=own.pk,
    )
    # then the group's price applies (the own list is out of its dates), while another customer pays the general price
    assert _price(world, 1) == D(7)
    assert _price(world, 1, party=party(world.company, "Other d.o.o.")) == D(9)
    # and when the own list runs again, it wins
    save(
        actor=world.seller,
        company=world.company,
        price_list_id=own.pk,
        name="Kupac special",
        currency="EUR",
        date_to=TODAY,
        items=[services.PriceIn(chair.pk, D(5))],
    )
    assert _price(world, 1) == D(5)


def test_a_list_in_another_currency_does_not_apply_and_bad_prices_are_refused(world):
    chair = world.products[0]
    services.price_list_save(
        actor=world.seller, company=world.company, name="USD", currency="USD", items=[services.PriceIn(chair.pk, D(1))]
    )
    assert _price(world, 1) == D("10.00")
    with pytest.raises(ValidationFailed) as refused:
        services.price_list_save(
            actor=world.seller,
            company=world.company,
            name="Bad",
            currency="EUR",
            items=[services.PriceIn(chair.pk, D(-1)), services.PriceIn(chair.pk, D(1), D(0))],
        )
    assert set(refused.value.field_errors) == {"items[0]", "items[1]"}
