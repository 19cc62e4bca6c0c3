from __future__ import annotations

import pytest

from spona.core import events


@pytest.fixture(autouse=True)
def kernel_subscribers_only(monkeypatch):
    """Kernel tests count deliveries per event; other apps' catch-all subscribers (automation's) are not theirs to count."""
    kernel = {
        name: {handler: f for handler, f in subs.items() if name != "*" or handler.startswith("core.")}
        for name, subs in events._HANDLERS.items()
    }
    monkeypatch.setattr(events, "_HANDLERS", kernel)
