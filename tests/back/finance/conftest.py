from __future__ import annotations

import pytest

from spona.back.finance import services
from spona.back.finance.models import Account, Journal
from tests.factories import member


@pytest.fixture
def ledger(company):
    """The company with the generic chart, journals and VAT set up."""
    services.ledger_setup(actor=None, company=company)
    return company


@pytest.fixture
def accountant(ledger):
    return member(ledger, "finance", full_name="Filip Finance", email="finance@acme.test")


@pytest.fixture
def accounts(ledger):
    return {a.code: a for a in Account.objects.filter(company=ledger)}


@pytest.fixture
def journals(ledger):
    return {j.code: j for j in Journal.objects.filter(company=ledger)}
