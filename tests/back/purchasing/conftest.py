from __future__ import annotations

import pytest

from tests.back.purchasing.helpers import Setting, setting


@pytest.fixture
def world(company) -> Setting:
    """A company with its ledger, a warehouse, bolts sold by one supplier with two price breaks."""
    return setting(company)
