from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from spona.back.finance.models import Tax
from spona.core import services
from tests.factories import party


@pytest.fixture
def api_as(company):
    """A test client that calls the API with a fresh write token of ``user`` in its company."""

    def make(user, *, in_company=None, scope="write"):
        _, plaintext = services.token_create(actor=user, company=in_company or company, name="tests", scope=scope)
        return Client(headers={"Authorization": f"Bearer {plaintext}"})

    return make


@pytest.fixture
def customer(ledger):
    return party(ledger, "Kupac d.o.o.", roles=["customer"])


@pytest.fixture
def vat20(ledger):
    return Tax.objects.get(company=ledger, use="sales", amount=D(20))
