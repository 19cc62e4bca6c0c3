"""The one permission policy: roles per company, superusers, field restrictions (QUALITY SEC3, SEC10)."""

from __future__ import annotations

import pytest

from spona.core import permissions
from spona.core.errors import PermissionDenied
from tests.factories import member


def test_a_role_counts_only_in_its_own_company(company, other_company):
    seller = member(company, "sales")
    assert permissions.has_perm(seller, "core.view_party", company)
    assert not permissions.has_perm(seller, "core.view_party", other_company)
    with pytest.raises(PermissionDenied):
        permissions.require(seller, "core.manage_users", company)


def test_role_and_user_administration_needs_the_admin_role(company):
    manager = member(company, "management")
    admin = member(company, "admin")
    assert not permissions.has_perm(manager, "core.manage_users", company)
    assert permissions.has_perm(admin, "core.manage_users", company)


def test_a_superuser_is_an_administrator_only_where_they_are_a_member(company, other_company):
    boss = member(company, "sales", is_superuser=True)
    assert permissions.has_perm(boss, "core.manage_company", company)
    assert not permissions.has_perm(boss, "core.view_party", other_company)


def test_portal_users_hold_no_staff_permission(company):
    from tests.factories import party

    portal = member(company, "portal", party=party(company, "Customer"))
    staff_permissions = [perm for perm in permissions.POLICY if not perm.startswith("portal.")]
    assert not any(permissions.has_perm(portal, perm, company) for perm in staff_permissions)
    # their door is the portal's own
    assert permissions.has_perm(portal, "portal.use", company)


def test_restricted_fields_are_visible_only_to_the_listed_roles(company):
    # given a confidential field declared the way HR declares salaries
    permissions.restrict_field("hr.Employee.salary", ["hr", "payroll"])
    try:
        payroll, seller = member(company, "payroll"), member(company, "sales")
        fields = ["name", "department", "salary"]
        # then payroll sees it, sales does not, and unrestricted fields are visible to both
        assert permissions.visible_fields(payroll, company, "hr.Employee", fields) == fields
        assert permissions.visible_fields(seller, company, "hr.Employee", fields) == ["name", "department"]
        assert not permissions.field_visible(seller, company, "hr.Employee.salary")
    finally:
        del permissions.RESTRICTED_FIELDS["hr.Employee.salary"]


def test_an_undeclared_permission_is_a_programming_error(company):
    with pytest.raises(KeyError):
        permissions.has_perm(member(company, "admin"), "core.no_such_permission", company)
