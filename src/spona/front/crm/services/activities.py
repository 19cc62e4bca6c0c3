"""Activities: plan a call, meeting, e-mail or task, and mark it done."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from spona.core import audit, events
from spona.core.errors import NotFound, PermissionDenied, StateError, ValidationFailed
from spona.core.models import Company, Party, User
from spona.core.permissions import has_perm, require
from spona.core.services.base import full_clean_or_raise
from spona.front.crm.models import Activity, Lead, Opportunity
from spona.front.crm.services.leads import lead_rescore


def _payload(activity: Activity) -> dict[str, object]:
    return {
        "activity_id": activity.pk,
        "kind": activity.get_kind_display(),
        "subject": activity.subject,
        "due_at": activity.due_at.isoformat(),
    }


@transaction.atomic
def activity_create(
    *,
    actor: User,
    company: Company,
    kind: str,
    subject: str,
    due_at: dt.datetime,
    owner_id: int | None = None,
    notes: str = "",
    lead_id: int | None = None,
    opportunity_id: int | None = None,
    party_id: int | None = None,
    remind_at: dt.datetime | None = None,
) -> Activity:
    """Plan an activity for its owner (the actor by default) about a lead, an opportunity or a party.

    With ``remind_at`` (not after the due time) the owner gets a reminder by e-mail then. An
    activity on an opportunity concerns the opportunity's party, so it reaches that party's
    timeline; one on a lead rescores the lead. Raises ValidationFailed when a linked record is
    not of this company.
    """
    require(actor, "crm.manage", company)
    errors: dict[str, list[str]] = {}
    activity = Activity(
        company=company, kind=kind, subject=subject.strip(), notes=notes.strip(), due_at=due_at, remind_at=remind_at
    )
    if remind_at is not None and remind_at > due_at:
        errors["remind_at"] = ["Remind before the activity is due."]
    owner = User.objects.filter(pk=owner_id or actor.pk, memberships__company=company, is_active=True).first()
    if owner is None:
        errors["owner_id"] = ["Choose a member of this company."]
    activity.owner = owner  # type: ignore[assignment]
    if lead_id:
        activity.lead = Lead.objects.filter(pk=lead_id, company=company).first()
        if activity.lead is None:
            errors["lead_id"] = ["Unknown lead."]
    if opportunity_id:
        activity.opportunity = Opportunity.objects.filter(pk=opportunity_id, company=company).first()
        if activity.opportunity is None:
            errors["opportunity_id"] = ["Unknown opportunity."]
    if party_id:
        activity.party = Party.objects.filter(pk=party_id, company=company, merged_into__isnull=True).first()
        if activity.party is None:
            errors["party_id"] = ["Unknown party."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    if activity.party is None and activity.opportunity is not None:
        activity.party_id = activity.opportunity.party_id
    full_clean_or_raise(activity, exclude=["company", "owner"])
    activity.save()
    audit.record(actor=actor, target=activity, action="created")
    events.publish("crm.activity_created", company=company, party=activity.party, actor=actor, **_payload(activity))
    if activity.lead is not None:
        lead_rescore(actor=actor, company=company, lead_id=activity.lead.pk)
    return activity


@transaction.atomic
def activity_done(*, actor: User, company: Company, activity_id: int) -> Activity:
    """Mark an activity done; its owner may, and so may management.

    Raises StateError when it is done already.
    """
    require(actor, "crm.manage", company)
    activity = Activity.objects.select_for_update().filter(pk=activity_id, company=company).first()
    if activity is None:
        raise NotFound("No such activity.")
    if activity.owner_id != actor.pk and not has_perm(actor, "crm.manage_teams", company):
        raise PermissionDenied("Only its owner or a manager can close this activity.")
    if activity.done:
        raise StateError("This activity is done already.")
    activity.done = True
    activity.done_at = timezone.now()
    activity.save(update_fields=["done", "done_at", "updated_at"])
    audit.record(actor=actor, target=activity, action="done")
    events.publish("crm.activity_done", company=company, party=activity.party, actor=actor, **_payload(activity))
    return activity


@transaction.atomic
def activity_set_reminder(*, actor: User, company: Company, activity_id: int, remind_at: dt.datetime | None) -> Activity:
    """Set (or with None, clear) when the owner is reminded of an open activity; its owner may, and management.

    A new time sends a new reminder even if one went out already. Raises ValidationFailed for
    a time after the due time, StateError for a done activity.
    """
    require(actor, "crm.manage", company)
    activity = Activity.objects.select_for_update().filter(pk=activity_id, company=company).first()
    if activity is None:
        raise NotFound("No such activity.")
    if activity.owner_id != actor.pk and not has_perm(actor, "crm.manage_teams", company):
        raise PermissionDenied("Only its owner or a manager can change this activity.")
    if activity.done:
        raise StateError("This activity is done already.")
    if remind_at is not None and remind_at > activity.due_at:
        raise ValidationFailed("Remind before the activity is due.", field_errors={"remind_at": ["After the due time."]})
    before = activity.remind_at.isoformat() if activity.remind_at else None
    activity.remind_at, activity.reminded_at = remind_at, None
    activity.save(update_fields=["remind_at", "reminded_at", "updated_at"])
    audit.record(
        actor=actor,
        target=activity,
        action="reminder_set",
        changes={"remind_at": [before, remind_at.isoformat() if remind_at else None]},
    )
    return activity
