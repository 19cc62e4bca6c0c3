"""The chart of accounts: add and change accounts once the ledger is set up."""

from __future__ import annotations

from django.db import transaction

from spona.back.finance.models import Account, JournalLine
from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise

EDITABLE = ("name", "parent_id", "reconcilable", "is_active", "cash_flow")


def _parent(company: Company, parent_id: int | None, account_type: str) -> Account | None:
    if parent_id is None:
        return None
    parent = Account.objects.filter(pk=parent_id, company=company, is_group=True).first()
    if parent is None:
        raise ValidationFailed(
            "The parent must be a group account of this company.", field_errors={"parent_id": ["Choose a group."]}
        )
    if parent.type != account_type:
        raise ValidationFailed("An account sits under a group of its own type.", field_errors={"parent_id": ["Different type."]})
    return parent


@transaction.atomic
def account_create(
    *,
    actor: User | None,
    company: Company,
    code: str,
    name: str,
    type: str,
    parent_id: int | None = None,
    is_group: bool = False,
    reconcilable: bool = False,
    role: str = "",
    cash_flow: str = "",
) -> Account:
    """Add an account to the chart; codes are unique per company."""
    if actor is not None:
        require(actor, "finance.manage_settings", company)
    account = Account(
        company=company,
        code=code.strip(),
        name=name.strip(),
        type=type,
        role=role,
        cash_flow=cash_flow,
        is_group=is_group,
        reconcilable=reconcilable,
    )
    account.parent = _parent(company, parent_id, type)
    full_clean_or_raise(account, exclude=["company"])
    if Account.objects.filter(company=company, code=account.code).exists():
        raise ValidationFailed("Another account has this code.", field_errors={"code": ["Taken."]})
    account.save()
    audit.record(actor=actor, target=account, action="created")
    return account


@transaction.atomic
def account_update(*, actor: User | None, company: Company, account_id: int, **changes: object) -> Account:
    """Rename, move, (de)activate an account, make it reconcilable or change its cash-flow class.

    Code, type and role are fixed once set, because posted lines and reports depend on them;
    an account with postings cannot stop being reconcilable.
    """
    if actor is not None:
        require(actor, "finance.manage_settings", company)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    account = Account.objects.select_for_update().filter(pk=account_id, company=company).first()
    if account is None:
        raise NotFound("No such account.")
    before = audit.snapshot(account, ["name", "parent", "reconcilable", "is_active", "cash_flow"])
    if "parent_id" in changes:
        parent = _parent(company, changes.pop("parent_id"), account.type)  # type: ignore[arg-type]
        if parent is not None and parent.pk == account.pk:
            raise ValidationFailed("An account cannot be its own parent.")
        account.parent = parent
    if changes.get("reconcilable") is False and account.reconcilable and JournalLine.objects.filter(account=account).exists():
        raise ValidationFailed(
            "This account has postings; it stays reconcilable.", field_errors={"reconcilable": ["Has postings."]}
        )
    for name, value in changes.items():
        setattr(account, name, value)
    full_clean_or_raise(account, exclude=["company"])
    account.save()
    audit.record(
        actor=actor,
        target=account,
        action="updated",
        changes=audit.diff(before, audit.snapshot(account, ["name", "parent", "reconcilable", "is_active", "cash_flow"])),
    )
    return account
