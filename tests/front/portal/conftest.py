from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from spona.back.inventory.services import transfer_validate
from spona.core.models import Party, User
from spona.front.sales import services as sales
from spona.front.sales.models import Order, OrderDocument
from tests.factories import deliver_events, member, party
from tests.front.sales.world import World, sales_world


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    # The manifest storage needs collectstatic; page tests only need {% static %} to resolve.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@dataclass
class Portal:
    """A customer with a delivered and invoiced order, its contact's portal login, and a rival customer."""

    world: World
    customer: Party
    contact: User
    order: Order
    rival: Party
    rival_order: Order


def delivered_and_invoiced(world: World, customer: Party, quantity: int = 2) -> Order:
    """Order chairs for ``customer``, deliver them and post the invoice, through the services."""
    order = sales.order_create(
        actor=world.seller,
        company=world.company,
        party_id=customer.pk,
        lines=[sales.LineIn(product_id=world.products[0].pk, quantity=D(quantity))],
    )
    sales.order_confirm(actor=world.seller, company=world.company, order_id=order.pk)
    transfer = OrderDocument.objects.get(order=order, kind="delivery").transfer_id
    transfer_validate(actor=None, company=world.company, transfer_id=transfer)
    deliver_events()
    sales.order_invoice(actor=world.seller, company=world.company, order_id=order.pk)
    return order


@pytest.fixture
def portal(company) -> Portal:
    world = sales_world(company, stock=20)
    customer = party(company, "Kupac Portal d.o.o.", roles=["customer"])
    rival = party(company, "Rival d.o.o.", roles=["customer"])
    return Portal(
        world=world,
        customer=customer,
        contact=member(company, "portal", party=customer, full_name="Petra Portal", email="petra@kupac.test"),
        order=delivered_and_invoiced(world, customer),
        rival=rival,
        rival_order=delivered_and_invoiced(world, rival, quantity=3),
    )
