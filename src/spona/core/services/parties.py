"""Services for the party registry: register, edit, link, merge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from spona.core import audit, events
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import (
    Address,
    Company,
    ContactPoint,
    Party,
    PartyRole,
    Relationship,
    Tag,
    User,
)
from spona.core.permissions import require
from spona.core.validation import normalise_email, normalise_phone, normalise_tax_id

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


def _contact_point_rows(party: Party, emails: list[str], phones: list[str]) -> list[ContactPoint]:
    return [ContactPoint(party=party, kind="email", value=v, is_primary=i == 0) for i, v in enumerate(emails)] + [
        ContactPoint(party=party, kind="phone", value=v, is_primary=i == 0) for i, v in enumerate(phones)
    ]


def _replace_contact_points(party: Party, emails: list[str], phones: list[str]) -> None:
    party.contact_points.all().delete()
    ContactPoint.objects.bulk_create(_contact_point_rows(party, emails, phones))


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


def _address_rows(party: Party, addresses: list[AddressInput]) -> tuple[list[Address], dict[str, list[str]]]:
    """The party's addresses as rows to insert, and the errors of the invalid ones."""
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
    return rows, errors


def _addresses(party: Party, addresses: list[AddressInput]) -> dict[str, list[str]]:
    rows, errors = _address_rows(party, addresses)
    if not errors:
        party.addresses.all().delete()
        Address.objects.bulk_create(rows)
    return errors


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
        # The model's check constraints (a known kind, a name) repeat its fields' own checks, which
        # full_clean() runs without asking the database; the database still enforces them.
        party.full_clean(exclude=["company", "tags"], validate_constraints=False)
    except ValidationError as exc:
        for f, msgs in exc.message_dict.items():
            errors.setdefault(f, []).extend(msgs)
    addresses, address_errors = _address_rows(party, data.addresses)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    if address_errors:
        raise ValidationFailed("Please correct the address.", field_errors=address_errors)
    # Everything that can be refused was checked above, so no savepoint is needed inside a caller's
    # transaction (mail-in registers a sender in its own): only a database error can end this block.
    with transaction.atomic(savepoint=False):
        party.save()
        # A new party has no addresses, contact points, roles or tags yet: insert, nothing to replace.
        for address in addresses:
            address.party = party
        Address.objects.bulk_create(addresses)
        ContactPoint.objects.bulk_create(_contact_point_rows(party, emails, phones))
        PartyRole.objects.bulk_create([PartyRole(party=party, role=r) for r in sorted(set(data.roles))])
        if data.tags:
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
def party_tag_add(*, actor: User | None, company: Company, party_id: int, tag: str) -> Party:
    """Add one tag to a party, keeping its others (automation rules tag customers this way)."""
    if actor is not None:
        require(actor, "core.change_party", company)
    name = tag.strip()[:60]
    if not name:
        raise ValidationFailed("A tag needs a name.", field_errors={"tag": ["This field is required."]})
    party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
    if party is None:
        raise NotFound("No such party.")
    if not party.tags.filter(name__iexact=name).exists():
        existing = Tag.objects.filter(company=company, name__iexact=name).first()
        party.tags.add(existing or Tag.objects.create(company=company, name=name))
        audit.record(actor=actor, target=party, action="tag_added", changes={"tags": [None, name]})
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
