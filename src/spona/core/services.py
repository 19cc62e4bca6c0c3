"""Commands of the kernel: the only code that changes companies, users, parties and sequences.

Every service is keyword-only, runs in one transaction, checks the actor's permission in the
company concerned, validates with ``full_clean()``, writes the audit trail and publishes its
events into the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from spona.core import audit, events
from spona.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from spona.core.models import (
    Address,
    Company,
    ContactPoint,
    ExchangeRate,
    Membership,
    Party,
    PartyRole,
    Relationship,
    Role,
    Sequence,
    Tag,
    User,
)
from spona.core.permissions import require
from spona.core.validation import normalise_email, normalise_phone, normalise_tax_id


def _full_clean(obj: models.Model, exclude: Iterable[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=list(exclude or []), validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None


# Companies and users ------------------------------------------------------------------------


@transaction.atomic
def company_create(*, actor: User | None, name: str, code: str, base_currency: str = "EUR", **settings: Any) -> Company:
    """Create a company; the creating user (if any) becomes its administrator.

    Only superusers or administrators of another company may create companies.
    """
    if actor is not None and not actor.is_superuser and not actor.memberships.filter(role=Role.ADMIN).exists():
        raise ApplicationError("Only administrators can create companies.", code="permission_denied")
    company = Company(name=name.strip(), code=code.strip().lower(), base_currency=base_currency.upper(), **settings)
    _full_clean(company)
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
    _full_clean(company)
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
    _full_clean(user, exclude=["password"])
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


# Sequences and exchange rates ---------------------------------------------------------------


def sequence_next(*, company: Company | int, code: str, prefix: str = "", padding: int = 5) -> str:
    """Take the next number of a gapless series, inside the caller's transaction (QUALITY N1).

    The series row stays locked until the caller commits, so concurrent callers queue; if the
    caller rolls back, the number is given back with it. Call it last, just before the
    document is saved, so the lock is held briefly.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number.")
    company_id = company if isinstance(company, int) else company.pk
    sequence = Sequence.objects.select_for_update().filter(company_id=company_id, code=code).first()
    if sequence is None:
        try:
            with transaction.atomic():
                Sequence.objects.create(company_id=company_id, code=code, prefix=prefix, padding=padding)
        except IntegrityError:
            pass  # created by a concurrent caller; lock theirs below
        sequence = Sequence.objects.select_for_update().get(company_id=company_id, code=code)
    number = sequence.next_number
    Sequence.objects.filter(pk=sequence.pk).update(next_number=F("next_number") + 1)
    return sequence.format(number)


@transaction.atomic
def exchange_rate_set(*, actor: User | None, company: Company, currency: str, rate_date: date, rate: Decimal) -> ExchangeRate:
    """Record (or correct) the rate of ``currency`` in the company's base currency on a day."""
    if actor is not None:
        require(actor, "core.manage_company", company)
    if isinstance(rate, float):
        raise TypeError("Exchange rates must be Decimal.")
    obj = ExchangeRate.objects.filter(company=company, currency=currency, rate_date=rate_date).first() or ExchangeRate(
        company=company, currency=currency, rate_date=rate_date
    )
    before = audit.snapshot(obj, ["rate"]) if obj.pk else {"rate": None}
    obj.rate = rate
    _full_clean(obj, exclude=["company"])
    obj.save()
    audit.record(
        actor=actor,
        target=obj,
        action="rate_set",
        changes=audit.diff(before, audit.snapshot(obj, ["rate"])),
        company_id=company.pk,
    )
    return obj


# Parties ----------------------------------------------------------------------------------


@dataclass
class AddressInput:
    line1: str
    city: str
    country: str
    kind: str = "main"
    line2: str = ""
    postal_code: str = ""
    region: str = ""


@dataclass
class PartyInput:
    """What a caller may set on a party (SEC2: company, version, merge state are never input)."""

    kind: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    tax_id: str = ""
    tax_country: str = ""
    website: str = ""
    language: str = ""
    notes: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[AddressInput] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


PARTY_FIELDS = ("kind", "name", "given_name", "family_name", "tax_id", "tax_country", "website", "language", "notes")


def _clean_party_input(company: Company, data: PartyInput) -> tuple[dict[str, Any], list[str], list[str], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values = {f: (getattr(data, f) or "").strip() for f in PARTY_FIELDS}
    values["tax_country"] = values["tax_country"].upper()
    if values["kind"] == Party.Kind.PERSON and not values["name"]:
        values["name"] = " ".join(p for p in (values["given_name"], values["family_name"]) if p)
    try:
        values["tax_id"] = normalise_tax_id(values["tax_id"], values["tax_country"] or company.country)
        if values["tax_id"] and not values["tax_country"]:
            values["tax_country"] = company.country.upper()
    except ValidationError as exc:
        errors["tax_id"] = exc.messages
    emails, phones = [], []
    for raw in data.emails:
        if raw.strip():
            try:
                emails.append(normalise_email(raw))
            except ValidationError as exc:
                errors.setdefault("emails", []).extend(exc.messages)
    for raw in data.phones:
        if raw.strip():
            try:
                phones.append(normalise_phone(raw, company.country))
            except ValidationError as exc:
                errors.setdefault("phones", []).extend(exc.messages)
    bad_roles = [r for r in data.roles if r not in PartyRole.Kind.values]
    if bad_roles:
        errors["roles"] = [f"Unknown role: {r}" for r in bad_roles]
    return values, list(dict.fromkeys(emails)), list(dict.fromkeys(phones)), errors


def _replace_contact_points(party: Party, emails: list[str], phones: list[str]) -> None:
    party.contact_points.all().delete()
    ContactPoint.objects.bulk_create(
        [ContactPoint(party=party, kind="email", value=v, is_primary=i == 0) for i, v in enumerate(emails)]
        + [ContactPoint(party=party, kind="phone", value=v, is_primary=i == 0) for i, v in enumerate(phones)]
    )


def _set_tags(party: Party, names: list[str]) -> None:
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        tag = Tag.objects.filter(company_id=party.company_id, name__iexact=name).first()
        tags.append(tag or Tag.objects.create(company_id=party.company_id, name=name[:60]))
    party.tags.set(tags)


def _set_roles(party: Party, roles: list[str]) -> None:
    wanted = set(roles)
    current = set(party.roles.values_list("role", flat=True))
    party.roles.filter(role__in=current - wanted).delete()
    PartyRole.objects.bulk_create([PartyRole(party=party, role=r) for r in sorted(wanted - current)])


def _addresses(party: Party, addresses: list[AddressInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    rows = []
    for i, a in enumerate(addresses):
        address = Address(
            party=party,
            kind=a.kind,
            line1=a.line1.strip(),
            line2=a.line2.strip(),
            postal_code=a.postal_code.strip(),
            city=a.city.strip(),
            region=a.region.strip(),
            country=a.country.strip().upper(),
        )
        try:
            address.full_clean(exclude=["party"])
        except ValidationError as exc:
            for f, msgs in exc.message_dict.items():
                errors.setdefault(f"addresses[{i}].{f}", []).extend(msgs)
        rows.append(address)
    if not errors:
        party.addresses.all().delete()
        Address.objects.bulk_create(rows)
    return errors


@transaction.atomic
def party_create(*, actor: User | None, company: Company, data: PartyInput) -> Party:
    """Register an organisation or a person, with its contact data, roles and tags.

    Raises ValidationFailed listing every invalid field (name, e-mails, phones, tax id, roles,
    addresses) at once, and nothing is saved.
    """
    if actor is not None:
        require(actor, "core.change_party", company)
    values, emails, phones, errors = _clean_party_input(company, data)
    party = Party(company=company, created_by=actor if actor and actor.is_authenticated else None, **values)
    try:
        party.full_clean(exclude=["company", "tags"])
    except ValidationError as exc:
        for f, msgs in exc.message_dict.items():
            errors.setdefault(f, []).extend(msgs)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    party.save()
    address_errors = _addresses(party, data.addresses)
    if address_errors:
        raise ValidationFailed("Please correct the address.", field_errors=address_errors)
    _replace_contact_points(party, emails, phones)
    _set_roles(party, data.roles)
    _set_tags(party, data.tags)
    audit.record(actor=actor, target=party, action="created")
    events.publish("core.party_created", company=company, party=party, actor=actor, party_id=party.pk, name=party.name)
    return party


@transaction.atomic
def party_update(*, actor: User, company: Company, party_id: int, version: int, data: PartyInput) -> Party:
    """Change a party's details; refuses a stale edit (Conflict) so nobody overwrites another's change."""
    require(actor, "core.change_party", company)
    party = Party.objects.select_for_update().filter(pk=party_id, company=company).first()
    if party is None:
        raise NotFound("No such party.")
    if party.is_merged():
        raise Conflict(f"{party.name} was merged into another party; edit that one instead.")
    if party.version != version:
        raise Conflict("Someone else changed this party since you opened it. Reload it and apply your change again.")
    values, emails, phones, errors = _clean_party_input(company, data)
    tracked = list(PARTY_FIELDS)
    before = audit.snapshot(party, tracked)
    before["emails"] = list(party.contact_points.filter(kind="email").values_list("value", flat=True))
    before["phones"] = list(party.contact_points.filter(kind="phone").values_list("value", flat=True))
    before["roles"] = sorted(party.roles.values_list("role", flat=True))
    before["tags"] = sorted(party.tags.values_list("name", flat=True))
    for name, value in values.items():
        setattr(party, name, value)
    try:
        party.full_clean(exclude=["company", "tags"])
    except ValidationError as exc:
        for f, msgs in exc.message_dict.items():
            errors.setdefault(f, []).extend(msgs)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    party.version += 1
    party.save()
    address_errors = _addresses(party, data.addresses)
    if address_errors:
        raise ValidationFailed("Please correct the address.", field_errors=address_errors)
    _replace_contact_points(party, emails, phones)
    _set_roles(party, data.roles)
    _set_tags(party, data.tags)
    after = audit.snapshot(party, tracked) | {
        "emails": emails,
        "phones": phones,
        "roles": sorted(set(data.roles)),
        "tags": sorted(party.tags.values_list("name", flat=True)),
    }
    changes = audit.diff(before, after)
    audit.record(actor=actor, target=party, action="updated", changes=changes)
    if changes:
        events.publish(
            "core.party_updated",
            company=company,
            party=party,
            actor=actor,
            party_id=party.pk,
            name=party.name,
            fields=sorted(changes),
        )
    return party


@transaction.atomic
def party_add_role(*, actor: User | None, company: Company, party_id: int, role: str) -> Party:
    """Give a party one more role (other apps call this: a first order makes a customer)."""
    if actor is not None:
        require(actor, "core.change_party", company)
    if role not in PartyRole.Kind.values:
        raise ValidationFailed(f"Unknown role: {role}.")
    party = Party.objects.filter(pk=party_id, company=company).first()
    if party is None:
        raise NotFound("No such party.")
    _, created = PartyRole.objects.get_or_create(party=party, role=role)
    if created:
        audit.record(actor=actor, target=party, action="role_added", changes={"roles": [None, role]})
    return party


@transaction.atomic
def party_link(
    *, actor: User, company: Company, from_party_id: int, to_party_id: int, kind: str, title: str = ""
) -> Relationship:
    """Link two parties of the same company (a person works at an organisation, …)."""
    require(actor, "core.change_party", company)
    parties = {
        p.pk: p for p in Party.objects.filter(company=company, pk__in=[from_party_id, to_party_id], merged_into__isnull=True)
    }
    if from_party_id not in parties or to_party_id not in parties:
        raise NotFound("Both parties must exist in this company.")
    if from_party_id == to_party_id:
        raise ValidationFailed("A party cannot be linked to itself.", field_errors={"to_party": ["Choose another party."]})
    if kind not in Relationship.Kind.values:
        raise ValidationFailed(f"Unknown link kind {kind!r}.", field_errors={"kind": ["Choose a kind of link."]})
    if kind == Relationship.Kind.WORKS_AT and (not parties[from_party_id].is_person() or parties[to_party_id].is_person()):
        raise ValidationFailed(
            "Only a person can work at an organisation.", field_errors={"kind": ["A person works at an organisation."]}
        )
    if Relationship.objects.filter(from_party_id=from_party_id, to_party_id=to_party_id, kind=kind).exists():
        raise ValidationFailed("These parties are already linked this way.")
    rel = Relationship.objects.create(
        company=company, from_party_id=from_party_id, to_party_id=to_party_id, kind=kind, title=title.strip()[:100]
    )
    audit.record(actor=actor, target=rel, action="created")
    description = f"{parties[from_party_id].name} {rel.get_kind_display()} {parties[to_party_id].name}"
    if title.strip():
        description += f" ({title.strip()})"
    events.publish(
        "core.parties_linked",
        company=company,
        actor=actor,
        relationship_id=rel.pk,
        from_party_id=from_party_id,
        to_party_id=to_party_id,
        description=description,
    )
    return rel


@transaction.atomic
def party_unlink(*, actor: User, company: Company, relationship_id: int) -> None:
    """Remove a link between two parties."""
    require(actor, "core.change_party", company)
    rel = Relationship.objects.filter(pk=relationship_id, company=company).first()
    if rel is None:
        raise NotFound("No such link.")
    audit.record(actor=actor, target=rel, action="deleted")
    rel.delete()


def _repoint(keep: Party, merge: Party) -> int:
    """Move every reference to ``merge`` onto ``keep``; rows that would duplicate one of keep's go."""
    moved = 0
    for rel in Party._meta.related_objects:
        if rel.many_to_many or (not rel.concrete and not getattr(rel, "field", None)):
            continue
        model = rel.related_model
        field_name = rel.field.name
        if model is Party:
            continue  # merged_into forwarding addresses stay as they are
        rows = model._default_manager.filter(**{field_name: merge})
        try:
            with transaction.atomic():
                moved += rows.update(**{field_name: keep})
        except IntegrityError:
            # A unique constraint (same role twice, same event on one timeline …): move row by row
            # and drop the rows keep already has an equivalent of.
            for pk in list(rows.values_list("pk", flat=True)):
                try:
                    with transaction.atomic():
                        moved += model._default_manager.filter(pk=pk).update(**{field_name: keep})
                except IntegrityError:
                    model._default_manager.filter(pk=pk).delete()
    # A link between the two merged records would now point from keep to itself.
    Relationship.objects.filter(from_party=keep, to_party=keep).delete()
    return moved


@transaction.atomic
def party_merge(*, actor: User, company: Company, keep_id: int, merge_id: int) -> Party:
    """Merge a duplicate into the party to keep: every reference moves, the duplicate is retired.

    Tags and roles are united; empty fields of the kept party take the duplicate's values.
    The duplicate stays as an inactive forwarding record (``merged_into``), so old links resolve.
    """
    require(actor, "core.merge_party", company)
    if keep_id == merge_id:
        raise ValidationFailed("Choose two different parties to merge.")
    # Lock both in id order: two merges of the same pair in opposite directions must not deadlock.
    locked = {
        p.pk: p
        for p in Party.objects.select_for_update().filter(company=company, pk__in=sorted([keep_id, merge_id])).order_by("pk")
    }
    keep, merge = locked.get(keep_id), locked.get(merge_id)
    if keep is None or merge is None:
        raise NotFound("Both parties must exist in this company.")
    if keep.is_merged() or merge.is_merged():
        raise Conflict("One of these parties was already merged.")
    if keep.kind != merge.kind:
        raise ValidationFailed("An organisation and a person cannot be merged.")
    filled = []
    for name in ("given_name", "family_name", "tax_id", "tax_country", "website", "language"):
        if not getattr(keep, name) and getattr(merge, name):
            setattr(keep, name, getattr(merge, name))
            filled.append(name)
    if merge.notes:
        keep.notes = f"{keep.notes}\n\n{merge.notes}".strip()
    keep.tags.add(*merge.tags.all())
    moved = _repoint(keep, merge)
    keep.version += 1
    keep.save()
    merge.merged_into = keep
    merge.is_active = False
    merge.version += 1
    merge.save(update_fields=["merged_into", "is_active", "version", "updated_at"])
    audit.record(actor=actor, target=keep, action="merged", changes={"merged_party": [None, merge.pk], "filled": [None, filled]})
    audit.record(actor=actor, target=merge, action="merged_into", changes={"merged_into": [None, keep.pk]})
    events.publish(
        "core.party_merged",
        company=company,
        party=keep,
        actor=actor,
        party_id=keep.pk,
        name=keep.name,
        merged_party_id=merge.pk,
        merged_name=merge.name,
        references_moved=moved,
    )
    return keep
