"""The inventory part of the demo company: a catalogue with stock, supplier prices and open work, the same every time."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from spona.back.inventory import reports, selectors
from spona.back.inventory.demo import CATALOGUE
from spona.back.inventory.models import Product, StockQuant, SupplierInfo, Transfer, ValuationLayer
from spona.core import demo
from spona.core.models import User


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Twelve Argon2 hashes per build cost seconds; the hash algorithm is not what this test checks.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_a_stocked_catalogue_suppliers_and_open_transfers(db, client):
    # when the demo company is built (small on parties; the catalogue is always full size)
    started = time.monotonic()
    result = demo.build(organisations=40, persons=5)
    elapsed = time.monotonic() - started
    company = result.company
    # then it has about 150 products, with variants, lot-tracked ones and barcodes
    products = Product.objects.filter(company=company)
    assert 140 <= products.count() <= 160
    assert products.filter(template__isnull=False).count() == 20
    assert products.filter(tracking="lot").count() == 3
    simple = products.filter(template__isnull=True, category__name__in=[c[0] for c in CATALOGUE]).exclude(kind="service")
    assert simple.exclude(barcode="").count() == simple.count() > 100
    # and supplier prices of suppliers, stock received, deliveries done and open work left
    assert SupplierInfo.objects.filter(company=company, supplier__roles__role="supplier").exists()
    assert StockQuant.objects.filter(company=company, quantity__gt=0).count() >= 120
    # (the sales step's deliveries and returns carry their order's and return's numbers: not counted here)
    transfers = (
        Transfer.objects.filter(company=company).exclude(reference__startswith="SO/").exclude(reference__startswith="RMA/")
    )
    assert transfers.filter(kind="receipt", state="done", from_location__kind="supplier").count() >= 10
    assert transfers.filter(kind="delivery", state="done").count() == 12
    assert transfers.filter(kind="delivery", state="confirmed").count() == 2 + 4  # four backorders
    assert transfers.filter(kind="receipt", state="draft").count() == 2
    # and the stock agrees with its moves (QUALITY S2), its value with the ledger to the cent
    assert selectors.stock_check(company) == []
    assert reports.valuation_check(company) == []
    valuation = reports.valuation_report(user=None, company=company, as_of=timezone.localdate())
    assert valuation.total > 0 and valuation.difference == 0 and valuation.unposted == 0
    kinds = set(
        ValuationLayer.objects.filter(company=company).values_list("move__from_location__kind", "move__to_location__kind")
    )
    assert {("supplier", "internal"), ("internal", "customer"), ("customer", "internal"), ("internal", "inventory_loss")} <= kinds
    # and the operations login sees it
    operations = next(x for x in result.logins if x.role == "operations")
    client.force_login(User.objects.get(email=operations.email))
    assert client.get("/inventory/products/").status_code == 200
    print(f"\ndemo with inventory built in {elapsed:.1f} s")
