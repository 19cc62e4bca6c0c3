"""Import rules of DESIGN §3, checked on the source tree.

import-linter checks that the kernel imports neither the UI nor the API; this test checks
the rule between domain apps, which grows with every app added: an app may import another
app only through its ``services``, ``selectors`` and ``events`` modules, and ``core`` imports
no domain app at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "spona"
DOMAIN_GROUPS = ("front", "back", "bridge")
PUBLIC = {"services", "selectors", "events"}


def app_of(module: str) -> str | None:
    """'spona.back.finance.models' -> 'spona.back.finance'; kernel -> 'spona.core'."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "spona" and parts[1] in DOMAIN_GROUPS:
        return ".".join(parts[:3])
    if len(parts) >= 2 and parts[:2] == ["spona", "core"]:
        return "spona.core"
    return None


def violations(module: str, imported: list[str]) -> list[str]:
    """Return the imports of ``module`` that break the rules."""
    source_app = app_of(module)
    found = []
    for target in imported:
        target_app = app_of(target)
        if source_app is None or target_app is None or target_app == source_app:
            continue
        if source_app == "spona.core":
            found.append(f"{module} imports {target}: the kernel must not depend on a domain app")
            continue
        if target_app == "spona.core":
            continue
        rest = target.split(".")[3:]
        if not rest or rest[0] not in PUBLIC:
            found.append(f"{module} imports {target}: use {target_app}.services/selectors/events")
    return found


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def test_the_rule_catches_a_reach_into_another_apps_tables():
    assert violations("spona.front.sales.services", ["spona.back.finance.models"])
    assert violations("spona.core.services", ["spona.back.finance.services"])
    assert not violations("spona.front.sales.services", ["spona.back.finance.services", "spona.core.models"])
    assert not violations("spona.back.finance.views", ["spona.back.finance.models"])


def test_apps_talk_only_through_services_selectors_and_events():
    problems = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
        problems += violations(module, imports_of(path))
    assert problems == []
