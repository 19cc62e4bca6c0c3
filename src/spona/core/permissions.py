"""The one permission policy: roles per company, used by views, the API, exports and jobs.

A permission is granted when the user holds, in the company of the record (or the company
they work in), one of the roles listed for it in ``POLICY``. Superusers hold every
permission in the companies they are members of; nobody sees a company they are not a
member of. Field restrictions (``RESTRICTED_FIELDS``) hide confidential fields, such as
salaries, from everyone without the listed roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import rules
from django.http import HttpRequest

from spona.core.errors import PermissionDenied

if TYPE_CHECKING:
    from spona.core.models import Company, User

STAFF = ("sales", "support", "marketing", "finance", "hr", "payroll", "it", "legal", "operations", "management", "admin")

POLICY: dict[str, tuple[str, ...]] = {
    "core.view_party": STAFF,
    "core.change_party": ("sales", "support", "marketing", "finance", "hr", "legal", "operations", "management", "admin"),
    "core.merge_party": ("management", "admin"),
    "core.view_company": STAFF,
    "core.manage_company": ("admin",),
    "core.manage_users": ("admin",),
    "core.view_audit": ("management", "admin"),
    "core.manage_events": ("admin",),
    "core.use_api": STAFF,
}

# "app_label.Model.field" -> roles that may see it. Other apps add entries in their ready().
RESTRICTED_FIELDS: dict[str, tuple[str, ...]] = {}


def register_policy(permissions: dict[str, Iterable[str]]) -> None:
    """Let a domain app declare its permissions (called from its AppConfig.ready())."""
    for name, roles in permissions.items():
        POLICY[name] = tuple(roles)
        _add_rule(name)


def restrict_field(path: str, roles: Iterable[str]) -> None:
    RESTRICTED_FIELDS[path] = tuple(roles)


def roles_in(user: User, company: Company | int | None) -> frozenset[str]:
    """Return the roles the user holds in a company (cached on the user object per request)."""
    if company is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    company_id = company if isinstance(company, int) else company.pk
    cache: dict[int, frozenset[str]] | None = getattr(user, "_spona_roles", None)
    if cache is None:
        cache = {}
        for cid, role in user.memberships.values_list("company_id", "role"):
            cache.setdefault(cid, frozenset())
            cache[cid] = cache[cid] | {role}
        user._spona_roles = cache  # type: ignore[attr-defined]
    roles = cache.get(company_id, frozenset())
    if user.is_superuser and roles:
        return roles | {"admin"}
    return roles


def company_ids(user: User) -> list[int]:
    """Companies where the user holds a staff role (portal memberships do not count)."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles_in(user, 0)  # fill the cache
    cache: dict[int, frozenset[str]] = getattr(user, "_spona_roles", {})
    return sorted(cid for cid, roles in cache.items() if roles - {"portal"})


def has_perm(user: User, perm: str, company: Company | int | None) -> bool:
    allowed = POLICY.get(perm)
    if allowed is None:
        raise KeyError(f"Unknown permission {perm!r}; declare it in a POLICY.")
    return bool(roles_in(user, company) & set(allowed))


def require(user: User, perm: str, company: Company | int | None) -> None:
    """Raise PermissionDenied unless the user has ``perm`` in ``company``."""
    if not has_perm(user, perm, company):
        raise PermissionDenied("You do not have permission to do this.", code="permission_denied")


def field_visible(user: User, company: Company | int | None, path: str) -> bool:
    roles = RESTRICTED_FIELDS.get(path)
    return roles is None or bool(roles_in(user, company) & set(roles))


def visible_fields(user: User, company: Company | int | None, model_path: str, fields: Iterable[str]) -> list[str]:
    return [f for f in fields if field_visible(user, company, f"{model_path}.{f}")]


def _object_company(obj: Any) -> Any:
    return getattr(obj, "company_id", None) or getattr(obj, "company", None)


def _add_rule(name: str) -> None:
    @rules.predicate
    def check(user: Any, obj: Any = None) -> bool:
        if obj is None:
            return any(has_perm(user, name, cid) for cid in company_ids(user))
        return has_perm(user, name, _object_company(obj))

    rules.set_perm(name, check)


def register_rules() -> None:
    """Expose the policy to Django's ``user.has_perm`` (templates, admin) through django-rules."""
    for name in POLICY:
        _add_rule(name)


def resolve_company(request: HttpRequest) -> Company | None:
    """Pick the company a request works in: the session's choice, else the user's default.

    An id from the client (session or X-Spona-Company header) is honoured only when the user is
    a member of that company.
    """
    from spona.core.models import Company

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    member_of = set(company_ids(user)) | {cid for cid, r in getattr(user, "_spona_roles", {}).items() if r}
    wanted: list[Any] = [
        request.headers.get("X-Spona-Company"),
        request.session.get("company_id") if hasattr(request, "session") else None,
        user.default_company_id,
    ]
    for candidate in wanted:
        try:
            cid = int(candidate) if candidate not in (None, "") else None
        except (TypeError, ValueError):
            cid = None
        if cid in member_of:
            return Company.objects.filter(pk=cid, is_active=True).first()
    if member_of:
        return Company.objects.filter(pk__in=member_of, is_active=True).order_by("name").first()
    return None
