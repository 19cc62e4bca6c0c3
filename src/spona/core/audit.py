"""Write the audit trail: who changed what, from which value to which (QUALITY P6)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from spona.core import context

if TYPE_CHECKING:
    from spona.core.models import AuditEntry, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return the current values of ``fields`` in a JSON-friendly form."""
    return {f: _plain(getattr(obj, f"{f}_id" if _is_fk(obj, f) else f)) for f in fields}


def _is_fk(obj: models.Model, field: str) -> bool:
    try:
        return obj._meta.get_field(field).is_relation
    except Exception:
        return False


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    *,
    actor: User | None,
    target: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
    company_id: int | None = None,
) -> AuditEntry:
    """Append one audit entry for ``target`` within the current transaction."""
    from spona.core.models import AuditEntry

    return AuditEntry.objects.create(
        company_id=company_id if company_id is not None else getattr(target, "company_id", None),
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        changes=changes or {},
        request_id=context.request_id(),
    )
