"""Sales targets: set or remove what a person or a team should win in a month or a quarter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.money import round_amount
from spona.core.permissions import require
from spona.front.crm.models import SalesTarget, Team

AMOUNT_LIMIT = Decimal(10) ** 13


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the month or quarter that contains ``day``."""
    if period == SalesTarget.Period.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return day.replace(day=1)


@transaction.atomic
def target_set(
    *,
    actor: User,
    company: Company,
    period: str,
    start: dt.date,
    amount: Decimal,
    owner_id: int | None = None,
    team_id: int | None = None,
) -> SalesTarget:
    """Set the target of one person or one team for the month or quarter containing ``start``.

    A second call for the same subject and period replaces the amount (rounded to the company
    currency). Raises ValidationFailed unless exactly one of a member and a team of the
    company is named, or when the amount is negative or the period unknown.
    """
    require(actor, "crm.manage_teams", company)
    errors: dict[str, list[str]] = {}
    if period not in SalesTarget.Period.values:
        errors["period"] = ["Choose month or quarter."]
    if not Decimal(0) <= amount < AMOUNT_LIMIT:
        errors["amount"] = ["Give an amount of zero or more."]
    if bool(owner_id) == bool(team_id):
        errors["owner_id"] = ["Name either a person or a team."]
    owner = team = None
    if owner_id:
        owner = User.objects.filter(pk=owner_id, memberships__company=company, is_active=True).first()
        if owner is None:
            errors["owner_id"] = ["Choose a member of this company."]
    if team_id:
        team = Team.objects.filter(pk=team_id, company=company).first()
        if team is None:
            errors["team_id"] = ["Unknown team."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    first = period_start(period, start)
    same = SalesTarget.objects.select_for_update().filter(company=company, owner=owner, team=team, period=period, start=first)
    target = same.first()
    before = str(target.amount) if target else None
    if target is None:
        target = SalesTarget(company=company, owner=owner, team=team, period=period, start=first)
    target.amount = round_amount(amount, company.base_currency)
    target.currency = company.base_currency
    target.save()
    action = "created" if before is None else "updated"
    audit.record(actor=actor, target=target, action=action, changes={"amount": [before, str(target.amount)]})
    return target


@transaction.atomic
def target_delete(*, actor: User, company: Company, target_id: int) -> None:
    """Remove a target. Raises NotFound for a target of another company."""
    require(actor, "crm.manage_teams", company)
    target = SalesTarget.objects.select_for_update().filter(pk=target_id, company=company).first()
    if target is None:
        raise NotFound("No such target.")
    audit.record(actor=actor, target=target, action="deleted", changes={"amount": [str(target.amount), None]})
    target.delete()
