"""The portal's part of the SEC1 matrix: which victim record fills each portal page's ``pk``.

The portal has no tables and no API: its pages show other apps' records, so its object pages
name the victim records those apps make (a posted invoice, a delivery, a ticket, an internal
article). Its own record is a customer with a contact's portal login, for the staff pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spona.core.models import Company, User
from tests.factories import member, party

SENTINEL = "Sentinel Victim"
PK_OF = {
    "portal:ticket_": "support_ticket_id",
    "portal:order_": "sales_order_id",
    "portal:delivery_": "transfer_id",
    "portal:invoice_": "posted_invoice_id",
    "portal:article_": "support_article_id",
    "portal:customer_": "portal_customer_id",
}
PUBLIC_PAGES = ("portal:invitation",)
SAMPLE_BODIES: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {}


def records(company: Company) -> dict[str, int]:
    """A customer with one contact who logs in to the portal, both carrying the sentinel."""
    customer = party(company, f"{SENTINEL} Portal Customer", roles=["customer"])
    login = member(company, "portal", party=customer, full_name=f"{SENTINEL} Contact")
    return {"portal_customer_id": customer.pk, "portal_login_id": login.pk}


def assert_untouched(ids: dict[str, int]) -> None:
    """The contact can still log in, and nobody else got a login for the customer."""
    assert User.objects.get(pk=ids["portal_login_id"]).is_active
    assert User.objects.filter(memberships__party_id=ids["portal_customer_id"]).count() == 1
