"""Opening valuation: stock that was on hand before valuation began gets its value and one entry."""

from __future__ import annotations

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from spona.back.finance import selectors as ledger
from spona.back.finance import services as finance
from spona.back.inventory import selectors, services
from spona.back.inventory.models import Product, ValuationLayer
from spona.back.inventory.reports import valuation_check
from spona.core.errors import PermissionDenied, ValidationFailed
from tests.back.inventory.test_valuation import deliver, receive_at
from tests.factories import member

pytestmark = pytest.mark.django_db


def balance(company, role):
    account = ledger.account_for_role(company=company, role=role)
    return ledger.account_balance(company=company, account_id=account.pk)


@pytest.fixture
def unvalued(company, warehouse, make_product):
    """A ledger, and 10 bolts (cost price 2.50) received while they were not valued (kept as a consumable)."""
    finance.ledger_setup(actor=None, company=company)
    bolt = make_product("BOLT", kind="consumable", cost_price=D("2.50"))
    receive_at(company, warehouse, bolt, 10, "2.40")
    # Valuation is switched on for them: from now on they are goods.
    Product.objects.filter(pk=bolt.pk).update(kind="goods")
    return bolt


def test_opening_values_the_stock_without_layers_at_its_cost_and_posts_one_entry(company, warehouse, unvalued):
    # given 10 bolts on hand without a valuation layer: the check reports them
    assert selectors.unvalued_stock(company) == {unvalued.pk: D(10)}
    assert valuation_check(company) == [f"product {unvalued.pk}: layers hold 0 units but 10.0000 are on hand"]
    # when the opening valuation runs
    result = services.valuation_open(actor=member(company, "operations", email="ops@acme.test"), company=company)
    # then the bolts are valued at their cost price, 25.00, in one entry: stock against retained earnings
    assert (result.products, result.value) == (1, D("25.00"))
    [layer] = ValuationLayer.objects.filter(product=unvalued)
    assert (layer.move_id, layer.quantity, layer.unit_cost, layer.value, layer.entry_id) == (
        None,
        D(10),
        D("2.50"),
        D("25.00"),
        result.entry_id,
    )
    assert (balance(company, "stock"), balance(company, "retained_earnings")) == (D("25.00"), D("-25.00"))
    assert valuation_check(company) == []
    # and later deliveries take their value from it
    deliver(company, warehouse, unvalued, 4)
    assert balance(company, "cogs") == D("10.00")
    # and there is nothing left to open
    with pytest.raises(ValidationFailed, match="nothing to open"):
        services.valuation_open(actor=None, company=company)


def test_a_fifo_opening_layer_is_the_oldest_receipt(company, warehouse, unvalued):
    # given the bolts are in a FIFO category, and 5 more arrive at 3.00 once valued
    fifo = services.category_create(actor=None, company=company, name="Fasteners", costing_method="fifo")
    Product.objects.filter(pk=unvalued.pk).update(category=fifo)
    services.valuation_open(actor=None, company=company)
    receive_at(company, warehouse, unvalued, 5, "3.00")
    # when 12 leave
    deliver(company, warehouse, unvalued, 12)
    # then the 10 opening units at 2.50 go first, then 2 at 3.00: 31.00
    assert balance(company, "cogs") == D("31.00")
    assert valuation_check(company) == []


def test_only_inventory_managers_open_the_valuation(company, unvalued):
    with pytest.raises(PermissionDenied):
        services.valuation_open(actor=member(company, "sales", email="sales@acme.test"), company=company)


def test_the_command_opens_one_companys_valuation(company, unvalued):
    # when the operator runs the command
    out = StringIO()
    call_command("inventory", "open-valuation", "--company", company.code, stdout=out)
    # then it says what it valued
    assert out.getvalue().strip() == f"{company.code}: opening valuation of 1 product(s), 25.00 EUR, posted in the stock journal."
