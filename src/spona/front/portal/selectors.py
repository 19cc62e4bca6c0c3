"""Queries of the portal: whom a portal user speaks for, and a customer's portal logins for staff."""

from __future__ import annotations

from django.db.models import QuerySet

from spona.core.errors import PermissionDenied
from spona.core.models import Company, Membership, Party, User
from spona.core.permissions import require


def portal_customer(*, user: User, company: Company) -> Party:
    """The customer organisation a portal user speaks for in ``company``.

    Every page of the portal reads only this party's records. Raises PermissionDenied for a user
    without an active portal membership here (staff, another company's contact, a deactivated login).
    """
    membership = (
        Membership.objects.filter(user=user, company=company, role="portal", party__isnull=False).select_related("party").first()
        if user.is_authenticated and user.is_active
        else None
    )
    if membership is None:
        raise PermissionDenied("You do not have permission to do this.")
    return membership.party  # type: ignore[return-value]


def customer_logins(*, user: User, company: Company, customer_id: int) -> QuerySet[User]:
    """The portal logins of a customer, by name, for the staff page that manages them."""
    require(user, "portal.invite", company)
    return User.objects.filter(
        memberships__company=company, memberships__role="portal", memberships__party_id=customer_id
    ).order_by("full_name", "pk")
