"""The per-app pieces of the SEC1 matrices (web pages, API) and of the A1 fuzzer, found by listing.

Every app with pages or endpoints keeps a module named ``access.py`` somewhere under its tests
(``tests/front/crm/access.py``) that defines:

- ``records(company) -> dict[str, int]``: one record of every kind its pages and endpoints name,
  labelled with ``SENTINEL``; the keys are the path parameters of its API (``invoice_id``);
- ``assert_untouched(ids)``: what ``records`` made is unchanged and nothing was planted;
- ``SAMPLE_BODIES``: a valid body per API operation id that takes one;
- ``PK_OF``: which of those ids fills the ``pk`` of its pages, by URL name prefix;
- ``API_GROUP``: the first path segment of its API (the fuzzer runs one test per group); an app
  without an API (the customer portal) leaves it out;
- ``PUBLIC_PAGES`` (optional): URL names of its pages that need no login (a signed link, a web form);
- ``STAFF_READABLE`` (optional): API paths under its group that any staff member may read (``/automation/approvals``);
  every other read of an app's API needs one of that department's roles.
- ``PERSONAL`` (optional): ``{(method, path): status}`` for changing calls on a person's own things
  (``/notifications/read-all``), with the answer a staff member without department roles gets.

The matrices pick such a module up the day it is added; no shared test file changes.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

SENTINEL = "Sentinel Victim"
ROOT = Path(__file__).parent


def _modules() -> list[ModuleType]:
    found = sorted(p.relative_to(ROOT.parent).with_suffix("") for p in ROOT.rglob("access.py") if p.parent != ROOT)
    return [importlib.import_module(".".join(path.parts)) for path in found]


MODULES = _modules()


def records(company) -> dict[str, int]:
    """Every app's victim records in ``company``, merged (keys are unique across apps)."""
    ids: dict[str, int] = {}
    for module in MODULES:
        made = module.records(company)
        clash = ids.keys() & made.keys()
        assert not clash, f"{module.__name__} reuses record keys {sorted(clash)}"
        ids.update(made)
    return ids


def assert_untouched(ids: dict[str, int]) -> None:
    for module in MODULES:
        module.assert_untouched(ids)


SAMPLE_BODIES = {op: body for module in MODULES for op, body in module.SAMPLE_BODIES.items()}
PK_OF = {prefix: key for module in MODULES for prefix, key in module.PK_OF.items()}
API_GROUPS = tuple(module.API_GROUP for module in MODULES if hasattr(module, "API_GROUP"))
PUBLIC_PAGES = {name for module in MODULES for name in getattr(module, "PUBLIC_PAGES", ())}
STAFF_READABLE = tuple(path for module in MODULES for path in getattr(module, "STAFF_READABLE", ()))
PERSONAL = {call: status for module in MODULES for call, status in getattr(module, "PERSONAL", {}).items()}
