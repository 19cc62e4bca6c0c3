"""Services for companies, users and their roles."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence as Seq
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from spona.core import audit
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.core.models import (
    Company,
    Membership,
    Party,
    Role,
    User,
)
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.core.validation import normalise_email

# Companies and users ------------------------------------------------------------------------


@transaction.atomic
def company_create(*, actor: User | None, name: str, code: str, base_currency: str = "EUR", **settings: Any) -> Company:
    """Create a company; the creating user (if any) becomes its administrator.

    Only superusers or administrators of another company may create companies.
    """
    if actor is not None and not actor.is_superuser and not actor.memberships.filter(role=Role.ADMIN).exists():
        raise ApplicationError("Only administrators can create companies.", code="permission_denied")
    company = Company(name=name.strip(), code=code.strip().lower(), base_currency=base_currency.upper(), **settings)
    full_clean_or_raise(company)
    if Company.objects.filter(code=company.code).exists():
        raise ValidationFailed("That code is taken.", field_errors={"code": ["Another company uses this code."]})
    company.save()
    if actor is not None:
        Membership.objects.create(user=actor, company=company, role=Role.ADMIN)
        if actor.default_company_id is None:
            actor.default_company = company
            actor.save(update_fields=["default_company"])
    audit.record(actor=actor, target=company, action="created", company_id=company.pk)
    return company


COMPANY_EDITABLE = (
    "name",
    "base_currency",
    "locale",
    "time_zone",
    "country",
    "tax_id",
    "fiscal_year_start_month",
    "rounding",
    "tax_rounding",
)


@transaction.atomic
def company_update(*, actor: User, company_id: int, **changes: Any) -> Company:
    """Change a company's settings (administrators only); unknown fields are refused (SEC2)."""
    require(actor, "core.manage_company", company_id)
    unknown = set(changes) - set(COMPANY_EDITABLE)
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    company = Company.objects.select_for_update().get(pk=company_id)
    before = audit.snapshot(company, list(changes))
    for name, value in changes.items():
        setattr(company, name, value)
    full_clean_or_raise(company)
    company.save()
    audit.record(
        actor=actor, target=company, action="updated", changes=audit.diff(before, audit.snapshot(company, list(changes)))
    )
    return company


def _check_roles(roles: Iterable[str]) -> list[str]:
    valid = set(Role.values)
    wanted = sorted(set(roles))
    bad = [r for r in wanted if r not in valid]
    if bad:
        raise ValidationFailed(f"Unknown role: {', '.join(bad)}.", field_errors={"roles": [f"Unknown role: {r}" for r in bad]})
    return wanted


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    company: Company,
    email: str,
    full_name: str,
    roles: Seq[str],
    password: str | None = None,
    portal_party: Party | None = None,
    language: str = "en",
) -> User:
    """Create a user with roles in ``company`` (administrators only; ``actor=None`` for setup and demo).

    Raises ValidationFailed for a taken e-mail, an unknown role, or a portal role without a party.
    """
    if actor is not None:
        require(actor, "core.manage_users", company)
    try:
        clean_email = normalise_email(email)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field_errors={"email": exc.messages}) from None
    if User.objects.filter(email__iexact=clean_email).exists():
        raise ValidationFailed("A user with this e-mail exists.", field_errors={"email": ["A user with this e-mail exists."]})
    wanted = _check_roles(roles)
    if not wanted:
        raise ValidationFailed("Give the user at least one role.", field_errors={"roles": ["Choose at least one role."]})
    if "portal" in wanted and (portal_party is None or portal_party.company_id != company.pk):
        raise ValidationFailed(
            "A portal user needs a customer of this company.", field_errors={"party": ["Choose the customer."]}
        )
    if password is not None:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password, User(email=clean_email, full_name=full_name))
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], field_errors={"password": exc.messages}) from None
    user = User(email=clean_email, full_name=full_name.strip(), language=language, default_company=company)
    full_clean_or_raise(user, exclude=["password"])
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    Membership.objects.bulk_create(
        [Membership(user=user, company=company, role=r, party=portal_party if r == "portal" else None) for r in wanted]
    )
    audit.record(actor=actor, target=user, action="created", changes={"roles": [None, wanted]}, company_id=company.pk)
    return user


@transaction.atomic
def user_set_roles(*, actor: User, company: Company, user_id: int, roles: Seq[str]) -> User:
    """Replace a user's staff roles in a company (administrators only, SEC10).

    An administrator cannot remove their own admin role: a company must never lock itself out.
    """
    require(actor, "core.manage_users", company)
    user = User.objects.filter(pk=user_id, memberships__company=company).distinct().first()
    if user is None:
        raise NotFound("No such user in this company.")
    wanted = set(_check_roles(roles)) - {"portal"}
    if user.pk == actor.pk and "admin" not in wanted:
        raise ApplicationError("You cannot remove your own administrator role.", code="self_lockout")
    current = set(Membership.objects.filter(user=user, company=company).exclude(role="portal").values_list("role", flat=True))
    Membership.objects.filter(user=user, company=company, role__in=current - wanted).delete()
    Membership.objects.bulk_create([Membership(user=user, company=company, role=r) for r in sorted(wanted - current)])
    audit.record(
        actor=actor,
        target=user,
        action="roles_changed",
        changes={"roles": [sorted(current), sorted(wanted)]},
        company_id=company.pk,
    )
    if hasattr(user, "_spona_roles"):
        del user._spona_roles
    return user


@transaction.atomic
def user_set_active(*, actor: User, company: Company, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a user (administrators only); nobody can deactivate themselves."""
    require(actor, "core.manage_users", company)
    user = User.objects.select_for_update().filter(pk=user_id, memberships__company=company).first()
    if user is None:
        raise NotFound("No such user in this company.")
    if user.pk == actor.pk and not active:
        raise ApplicationError("You cannot deactivate yourself.", code="self_lockout")
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        target=user,
        action="activated" if active else "deactivated",
        changes={"is_active": [before, active]},
        company_id=company.pk,
    )
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a user chose, so that it follows them to their next login.

    Raises ValidationFailed for a language Spona does not offer.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed("Choose one of the offered languages.", field_errors={"language": ["Not offered."]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
