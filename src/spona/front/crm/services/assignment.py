"""Sales teams, territories and the assignment rules that give a new lead its owner."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.crm.models import AssignmentRule, Lead, Team

OPEN_LEAD = (Lead.Status.NEW, Lead.Status.CONTACTED)


def _members(company: Company, member_ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=member_ids, memberships__company=company, is_active=True).distinct())
    if len(users) != len(set(member_ids)):
        raise ValidationFailed("Every member must work in this company.", field_errors={"member_ids": ["Unknown member."]})
    return users


@transaction.atomic
def team_create(
    *, actor: User, company: Company, name: str, member_ids: list[int], leader_id: int | None = None, countries: str = ""
) -> Team:
    """Create a sales team; the leader must be one of its members."""
    require(actor, "crm.manage_teams", company)
    members = _members(company, member_ids)
    if leader_id is not None and leader_id not in {u.pk for u in members}:
        raise ValidationFailed("The leader must be a member of the team.", field_errors={"leader_id": ["Not a member."]})
    team = Team(company=company, name=name.strip(), leader_id=leader_id, countries=_countries(countries))
    full_clean_or_raise(team, exclude=["company", "members"])
    if Team.objects.filter(company=company, name__iexact=team.name).exists():
        raise ValidationFailed("Another team has this name.", field_errors={"name": ["Taken."]})
    team.save()
    team.members.set(members)
    audit.record(actor=actor, target=team, action="created", changes={"members": [None, sorted(u.pk for u in members)]})
    return team


@transaction.atomic
def team_update(
    *, actor: User, company: Company, team_id: int, name: str, member_ids: list[int], leader_id: int | None, countries: str
) -> Team:
    """Change a team's name, members, leader or territory."""
    require(actor, "crm.manage_teams", company)
    team = Team.objects.select_for_update().filter(pk=team_id, company=company).first()
    if team is None:
        raise NotFound("No such team.")
    members = _members(company, member_ids)
    if leader_id is not None and leader_id not in {u.pk for u in members}:
        raise ValidationFailed("The leader must be a member of the team.", field_errors={"leader_id": ["Not a member."]})
    before = {"name": team.name, "countries": team.countries, "leader": team.leader_id}
    team.name, team.leader_id, team.countries = name.strip(), leader_id, _countries(countries)
    full_clean_or_raise(team, exclude=["company", "members"])
    team.save()
    team.members.set(members)
    after = {"name": team.name, "countries": team.countries, "leader": team.leader_id}
    audit.record(actor=actor, target=team, action="updated", changes=audit.diff(before, after))
    return team


def _countries(text: str) -> str:
    codes = [c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise ValidationFailed("Give two-letter country codes.", field_errors={"countries": [f"Not a country code: {bad[0]}"]})
    return ", ".join(dict.fromkeys(codes))


@transaction.atomic
def rule_create(*, actor: User, company: Company, name: str, method: str, team_id: int, sequence: int = 10) -> AssignmentRule:
    """Add an assignment rule for new leads; rules are tried by sequence, the first that matches wins."""
    require(actor, "crm.manage_teams", company)
    team = Team.objects.filter(pk=team_id, company=company).first()
    if team is None:
        raise ValidationFailed("Choose a team of this company.", field_errors={"team_id": ["Unknown team."]})
    rule = AssignmentRule(company=company, name=name.strip(), method=method, team=team, sequence=sequence)
    full_clean_or_raise(rule, exclude=["company"])
    rule.save()
    audit.record(actor=actor, target=rule, action="created")
    return rule


@transaction.atomic
def rule_delete(*, actor: User, company: Company, rule_id: int) -> None:
    """Remove an assignment rule."""
    require(actor, "crm.manage_teams", company)
    rule = AssignmentRule.objects.filter(pk=rule_id, company=company).first()
    if rule is None:
        raise NotFound("No such rule.")
    audit.record(actor=actor, target=rule, action="deleted")
    rule.delete()


def _by_load(company: Company, members: list[User]) -> User:
    loads = dict(
        Lead.objects.filter(company=company, status__in=OPEN_LEAD, owner_id__in=[m.pk for m in members])
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    return min(members, key=lambda m: (loads.get(m.pk, 0), m.pk))


def _next_in_turn(rule: AssignmentRule, members: list[User]) -> User:
    ordered = sorted(members, key=lambda m: m.pk)
    after = [m for m in ordered if rule.last_assigned_id is not None and m.pk > rule.last_assigned_id]
    chosen = after[0] if after else ordered[0]
    rule.last_assigned = chosen
    rule.save(update_fields=["last_assigned", "updated_at"])
    return chosen


def assign_owner(*, company: Company, lead: Lead) -> tuple[User | None, Team | None]:
    """Choose the owner and team of a new lead by the first active rule that matches.

    Round-robin takes the team's members in turn; territory matches when the lead's country is
    in the team's territory and then takes the member with the fewest open leads; load takes the
    member with the fewest open leads. Called inside the lead's transaction; the rule row is
    locked so two leads arriving at once do not go to the same person by turn.
    """
    rules = AssignmentRule.objects.select_for_update().filter(company=company, is_active=True).select_related("team")
    for rule in rules.order_by("sequence", "id"):
        members = list(rule.team.members.filter(is_active=True))
        if not members:
            continue
        if rule.method == AssignmentRule.Method.TERRITORY:
            if not lead.country or lead.country.upper() not in rule.team.country_list():
                continue
            return _by_load(company, members), rule.team
        if rule.method == AssignmentRule.Method.LOAD:
            return _by_load(company, members), rule.team
        return _next_in_turn(rule, members), rule.team
    return None, None
