"""SEC1 for the web UI: every page × {anonymous, portal user, staff without the role, another company}.

The portal user belongs to another customer than the victim's records: on the customer portal's
own pages (a permission that lists the portal role) they see their own lists, and every one of
the victim's records is a 404.

The cases come from the URL registry, so a page is covered the day it is added. Every page is
either public (listed below) or guarded by ``company_view(permission)``; an unguarded page, or an
object page whose id this test cannot fill in, fails here.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from spona.core import services
from spona.core.models import Role
from spona.core.permissions import POLICY
from tests import access
from tests.factories import CompanyFactory, dead_letter, member, party

SENTINEL = "Sentinel Victim"
PUBLIC = {
    "web:login",
    "web:login_code",
    "web:logout",
    "web:set_language",
    "web:password_reset",
    "web:password_reset_done",
    "web:password_reset_confirm",
    "web:password_reset_complete",
    "crm_forms:lead_form",
    *access.PUBLIC_PAGES,
}
# Pages that only need a login (they act on the user's own account or session).
OWN_ACCOUNT = {"web:switch_company", "web:password_change", "web:password_change_done", "web:two_factor"}
# Which of the victim's records fills an object page's ``pk``, by URL name prefix.
PK_OF = {"web:party_": "party_id", "web:user_": "user_id", **access.PK_OF}
OTHER_KWARGS = {"relationship_id": "link_id"}


def _walk(resolver, namespace=None):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if str(item.pattern).startswith(("api/", "django-admin/")):
                continue
            yield from _walk(item, item.namespace or namespace)
        elif isinstance(item, URLPattern) and item.name:
            yield f"{namespace}:{item.name}" if namespace else item.name, item


PAGES = sorted(_walk(get_resolver()), key=lambda pair: pair[0])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The company under attack, with one record of every kind a page can name, and its attackers.

    Made once for the module's ~270 cases inside a transaction that is rolled back after the last
    one; each case runs in a savepoint of its own (pytest-django's ``db``), so what it changes is
    undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        company = CompanyFactory(name="Acme d.o.o.", code="acme", country="RS")
        other_company = CompanyFactory(name="Globex Ltd", code="globex", country="GB", base_currency="GBP")
        admin = member(company, "admin", full_name="Ana Admin", email="admin@acme.test")
        victim_party = party(company, "Portal Customer")
        yield {
            "company": company,
            "victim": _victim(company, admin),
            "victim_party": victim_party,
            "portal": member(company, "portal", party=victim_party),
            "stranger": member(other_company, "admin", "finance", "management"),
        }
        transaction.set_rollback(True)


def _victim(company, admin):
    seller = member(company, "sales", full_name=f"{SENTINEL} Seller")
    target = party(company, f"{SENTINEL} Party", emails=["secret@victim.example"], roles=["customer"])
    other = party(company, f"{SENTINEL} Partner")
    link = services.party_link(actor=admin, company=company, from_party_id=target.pk, to_party_id=other.pk, kind="partner_of")
    dead_letter(target, SENTINEL)
    return {
        "party_id": target.pk,
        "user_id": seller.pk,
        "link_id": link.pk,
        **access.records(company),
    }


def _url(name, pattern, ids):
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            prefix = next((p for p in PK_OF if name.startswith(p)), None)
            assert prefix is not None, f"{name}: say in PK_OF which record its pk names"
            kwargs[key] = ids[PK_OF[prefix]]
        else:
            assert key in OTHER_KWARGS, f"{name}: say in OTHER_KWARGS which record {key} names"
            kwargs[key] = ids[OTHER_KWARGS[key]]
    return reverse(name, kwargs=kwargs)


def _permission(pattern):
    return getattr(pattern.callback, "spona_permission", None)


def test_every_page_is_public_or_guarded_by_a_permission():
    unguarded = [name for name, pattern in PAGES if name not in PUBLIC | OWN_ACCOUNT and _permission(pattern) is None]
    assert unguarded == []


def _without(permission):
    """Roles that lack ``permission`` (portal when every staff role has it)."""
    allowed = set(POLICY[permission])
    return [r for r in Role.values if r not in allowed and r != "portal"] or ["portal"]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [(n, p) for n, p in PAGES if n not in PUBLIC | OWN_ACCOUNT],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_no_page_gives_away_another_companys_or_roles_data(world, db, client, name, pattern):
    url = _url(name, pattern, world["victim"])
    permission = _permission(pattern)
    portal, stranger = world["portal"], world["stranger"]
    no_role = member(world["company"], *_without(permission), party=world["victim_party"])
    for method in ("get", "post"):
        # anonymous: sent to the login page
        client.logout()
        response = getattr(client, method)(url)
        assert response.status_code in (302, 401, 403, 405), (method, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("web:login"))
        for who, user in (("portal", portal), ("other company", stranger), ("without the role", no_role)):
            client.force_login(user)
            response = getattr(client, method)(url)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            own_portal = who == "portal" and "portal" in POLICY[permission]
            if (who == "other company" or own_portal) and "<int:" not in str(pattern.pattern):
                # A list or form page shows the stranger their own company, and a customer's portal user their own
                # customer's records: fine, as long as none of the victim's data.
                assert response.status_code < 500, (who, method, url, response.status_code)
            else:
                assert response.status_code in (403, 404, 405), (who, method, url, response.status_code)
            assert SENTINEL not in body, (who, method, url)
