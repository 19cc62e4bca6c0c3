"""Leads: capture, edit, score, disqualify, and qualify into an opportunity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from spona.core import audit, events, selectors, services
from spona.core.errors import Conflict, NotFound, StateError, ValidationFailed
from spona.core.models import Company, Party, Relationship, User
from spona.core.permissions import require
from spona.core.validation import normalise_email, normalise_phone, search_key
from spona.front.crm.models import Activity, Lead, Opportunity
from spona.front.crm.services.assignment import assign_owner
from spona.front.crm.services.opportunities import OpportunityInput, opportunity_create

# Addresses at these domains tell nothing about the lead's employer, so they earn no points.
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "aol.com",
        "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "proton.me", "protonmail.com",
    }
)  # fmt: skip
SOURCE_POINTS = {
    Lead.Source.REFERRAL: 20,
    Lead.Source.EVENT: 15,
    Lead.Source.WEB_FORM: 10,
    Lead.Source.EMAIL: 5,
    Lead.Source.API: 5,
}
FIELD_POINTS = (("contact_name", 10, "contact name given"), ("company_name", 10, "company name given"),
                ("email", 10, "e-mail given"), ("phone", 10, "phone given"))  # fmt: skip
BUSINESS_MAIL_POINTS = 15
ACTIVITY_POINTS, ACTIVITY_CAP = 5, 20
EDITABLE = ("contact_name", "company_name", "email", "phone", "country", "source", "notes", "owner")


@dataclass
class LeadInput:
    """What a caller may set on a lead (SEC2: company, status, score and version are never input)."""

    contact_name: str = ""
    company_name: str = ""
    email: str = ""
    phone: str = ""
    country: str = ""
    source: str = Lead.Source.MANUAL
    notes: str = ""
    owner_id: int | None = None


def score_of(lead: Lead, activity_count: int) -> tuple[int, list[dict[str, Any]]]:
    """Score a lead by rules: points for each field present, the source, a business e-mail domain
    and the activities logged on it (capped). Return the score (at most 100) and its reasons."""
    reasons = [{"points": pts, "reason": why} for name, pts, why in FIELD_POINTS if getattr(lead, name)]
    if SOURCE_POINTS.get(lead.source):
        reasons.append({"points": SOURCE_POINTS[lead.source], "reason": f"source: {lead.get_source_display()}"})
    domain = lead.email.rsplit("@", 1)[-1].lower() if "@" in lead.email else ""
    if domain and domain not in FREE_MAIL:
        reasons.append({"points": BUSINESS_MAIL_POINTS, "reason": f"business e-mail domain {domain}"})
    if activity_count:
        reasons.append(
            {"points": min(activity_count * ACTIVITY_POINTS, ACTIVITY_CAP), "reason": f"{activity_count} activities logged"}
        )
    return min(sum(r["points"] for r in reasons), 100), reasons


def _clean(company: Company, data: LeadInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        f: (getattr(data, f) or "").strip() for f in ("contact_name", "company_name", "email", "phone", "country", "notes")
    }
    values["country"] = values["country"].upper()
    for name, value in values.items():
        limit = Lead._meta.get_field(name).max_length
        if limit and len(value) > limit:
            errors[name] = [f"At most {limit} characters."]
    if not values["contact_name"] and not values["company_name"]:
        errors["contact_name"] = ["Give a contact name or a company name."]
    if values["email"]:
        try:
            values["email"] = normalise_email(values["email"])
        except ValidationError as exc:
            errors["email"] = exc.messages
    if values["phone"]:
        try:
            values["phone"] = normalise_phone(values["phone"], values["country"] or company.country)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if values["country"] and (len(values["country"]) != 2 or not values["country"].isalpha()):
        errors["country"] = ["Give a two-letter country code."]
    if data.source not in Lead.Source.values:
        errors["source"] = [f"Unknown source: {data.source}"]
    values["source"] = data.source
    values["owner"] = None
    if data.owner_id:
        values["owner"] = User.objects.filter(pk=data.owner_id, memberships__company=company, is_active=True).first()
        if values["owner"] is None:
            errors["owner_id"] = ["Choose a member of this company."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    return values


def _rescore(lead: Lead) -> None:
    lead.score, lead.score_reasons = score_of(lead, Activity.objects.filter(lead=lead).count())


def _create(company: Company, values: dict[str, Any], actor: User | None) -> Lead:
    lead = Lead(company=company, **values)
    if lead.owner is None:
        lead.owner, lead.team = assign_owner(company=company, lead=lead)
    score, reasons = score_of(lead, 0)
    lead.score, lead.score_reasons = score, reasons
    lead.save()
    audit.record(actor=actor, target=lead, action="created")
    events.publish("crm.lead_created", company=company, actor=actor, lead_id=lead.pk, name=str(lead), source=lead.source)
    return lead


@transaction.atomic
def lead_create(*, actor: User | None, company: Company, data: LeadInput) -> Lead:
    """Capture a lead; without an owner the assignment rules choose one, and it is scored at once.

    ``actor`` is None for the public web form (the form itself is the permission).
    Raises ValidationFailed when neither a contact nor a company name is given or a value is invalid.
    """
    if actor is not None:
        require(actor, "crm.manage", company)
    return _create(company, _clean(company, data), actor)


def _locked(company: Company, lead_id: int, version: int | None = None) -> Lead:
    lead = Lead.objects.select_for_update().filter(pk=lead_id, company=company).first()
    if lead is None:
        raise NotFound("No such lead.")
    if version is not None and version != lead.version:
        raise Conflict("Someone changed this lead since you opened it; reload and try again.", code="stale_version")
    return lead


@transaction.atomic
def lead_update(*, actor: User, company: Company, lead_id: int, version: int, data: LeadInput) -> Lead:
    """Change a lead's details and rescore it; a stale ``version`` raises Conflict (QUALITY C2)."""
    require(actor, "crm.manage", company)
    lead = _locked(company, lead_id, version)
    if lead.status == Lead.Status.QUALIFIED:
        raise StateError("A qualified lead is closed; work on its opportunity.")
    values = _clean(company, data)
    before = audit.snapshot(lead, list(EDITABLE))
    for name, value in values.items():
        setattr(lead, name, value)
    _rescore(lead)
    lead.version += 1
    lead.save()
    audit.record(actor=actor, target=lead, action="updated", changes=audit.diff(before, audit.snapshot(lead, list(EDITABLE))))
    return lead


@transaction.atomic
def lead_set_status(*, actor: User, company: Company, lead_id: int, status: str, reason: str = "") -> Lead:
    """Mark a lead contacted, disqualified (with a reason) or new again; qualifying is lead_qualify.

    Raises StateError for a qualified lead, ValidationFailed for a disqualification without reason.
    """
    require(actor, "crm.manage", company)
    if status not in (Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.DISQUALIFIED):
        raise ValidationFailed("Choose new, contacted or disqualified.", field_errors={"status": ["Not allowed here."]})
    lead = _locked(company, lead_id)
    if lead.status == Lead.Status.QUALIFIED:
        raise StateError("A qualified lead is closed; work on its opportunity.")
    if status == Lead.Status.DISQUALIFIED and not reason.strip():
        raise ValidationFailed("Say why the lead is disqualified.", field_errors={"reason": ["Give a reason."]})
    before = lead.status
    lead.status = status
    lead.disqualify_reason = reason.strip()[:200] if status == Lead.Status.DISQUALIFIED else ""
    lead.version += 1
    lead.save(update_fields=["status", "disqualify_reason", "version", "updated_at"])
    audit.record(actor=actor, target=lead, action="status_changed", changes={"status": [before, status]})
    return lead


@transaction.atomic
def lead_rescore(*, actor: User | None, company: Company, lead_id: int) -> Lead:
    """Recompute a lead's score and its reasons from the scoring rules."""
    if actor is not None:
        require(actor, "crm.manage", company)
    lead = _locked(company, lead_id)
    _rescore(lead)
    lead.save(update_fields=["score", "score_reasons", "updated_at"])
    return lead


def _party(company: Company, party_id: int | None, kind: str) -> Party | None:
    if not party_id:
        return None
    party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
    if party is None:
        raise ValidationFailed("Choose a party of this company.", field_errors={f"{kind}_id": ["Unknown party."]})
    return party


def _existing(actor: User, company: Company, kind: str, name: str, email: str) -> Party | None:
    """The party this lead already is: same e-mail, or the same name once accents and case are ignored."""
    found = selectors.party_duplicates(user=actor, company=company, name=name, emails=[email] if email else [])
    for party in found:
        same_email = bool(email) and email in {c.value for c in party.contact_points.all()}
        if party.kind == kind and (same_email or search_key(party.name) == search_key(name)):
            return party
    return None


@transaction.atomic
def lead_qualify(
    *,
    actor: User,
    company: Company,
    lead_id: int,
    title: str = "",
    expected_revenue: Decimal = Decimal(0),
    close_date: dt.date | None = None,
    organisation_id: int | None = None,
    contact_id: int | None = None,
) -> Opportunity:
    """Turn an open lead into an opportunity, with its organisation and contact parties.

    Parties named by id are used; otherwise an existing party with the same e-mail or name is
    reused, else one is registered. The organisation becomes a prospect, the person a contact
    who works at it. Without a company name the contact person is the opportunity's party.
    Raises StateError when the lead is qualified or disqualified already.
    """
    require(actor, "crm.manage", company)
    lead = _locked(company, lead_id)
    if not lead.is_open():
        raise StateError(f"This lead is {lead.get_status_display().lower()} already.")
    organisation = _party(company, organisation_id, "organisation")
    contact = _party(company, contact_id, "contact")
    if organisation is None and lead.company_name:
        organisation = _existing(actor, company, Party.Kind.ORGANISATION, lead.company_name, "") or services.party_create(
            actor=actor, company=company, data=services.PartyInput(kind=Party.Kind.ORGANISATION, name=lead.company_name)
        )
    if contact is None and lead.contact_name:
        contact = _existing(actor, company, Party.Kind.PERSON, lead.contact_name, lead.email) or services.party_create(
            actor=actor,
            company=company,
            data=services.PartyInput(
                kind=Party.Kind.PERSON,
                name=lead.contact_name,
                emails=[lead.email] if lead.email else [],
                phones=[lead.phone] if lead.phone else [],
            ),
        )
    main = organisation or contact
    if main is None:
        raise ValidationFailed("Name the organisation or the contact.", field_errors={"organisation_id": ["Choose a party."]})
    services.party_add_role(actor=actor, company=company, party_id=main.pk, role="prospect")
    if contact is not None and organisation is not None and contact.pk != organisation.pk:
        services.party_add_role(actor=actor, company=company, party_id=contact.pk, role="contact")
        linked = Relationship.objects.filter(from_party=contact, to_party=organisation, kind=Relationship.Kind.WORKS_AT)
        if contact.is_person() and not organisation.is_person() and not linked.exists():
            services.party_link(
                actor=actor, company=company, from_party_id=contact.pk, to_party_id=organisation.pk, kind="works_at"
            )
    opportunity = opportunity_create(
        actor=actor,
        company=company,
        data=OpportunityInput(
            title=title.strip() or f"{lead}",
            party_id=main.pk,
            contact_id=contact.pk if contact is not None and contact.pk != main.pk else None,
            owner_id=lead.owner_id or actor.pk,
            team_id=lead.team_id,
            expected_revenue=expected_revenue,
            close_date=close_date,
        ),
    )
    lead.status = Lead.Status.QUALIFIED
    lead.opportunity = opportunity
    lead.version += 1
    lead.save(update_fields=["status", "opportunity", "version", "updated_at"])
    Activity.objects.filter(lead=lead, party__isnull=True).update(party=main)
    audit.record(actor=actor, target=lead, action="qualified", changes={"status": ["open", "qualified"]})
    events.publish(
        "crm.lead_qualified",
        company=company,
        party=main,
        actor=actor,
        lead_id=lead.pk,
        name=str(lead),
        source=lead.source,
        opportunity_id=opportunity.pk,
        party_id=main.pk,
    )
    return opportunity
