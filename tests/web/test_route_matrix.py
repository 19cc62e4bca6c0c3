"""SEC1 for the web UI: every page × {anonymous, portal user, staff without the role, another company}.

The cases come from the URL registry, so a page is covered the day it is added. Every page is
either public (listed below) or guarded by ``company_view(permission)``; an unguarded page, or an
object page whose id this test cannot fill in, fails here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from spona.back.finance import services as finance
from spona.core import services
from spona.core.models import EventDelivery, Role
from spona.core.permissions import POLICY
from tests.back.inventory.api.access import inventory_records
from tests.factories import member, party
from tests.front.crm.access import crm_records

SENTINEL = "Sentinel Victim"
PUBLIC = {
    "web:login",
    "web:logout",
    "web:set_language",
    "web:password_reset",
    "web:password_reset_done",
    "web:password_reset_confirm",
    "web:password_reset_complete",
    "crm_forms:lead_form",
}
# Pages that only need a login (they act on the user's own account or session).
OWN_ACCOUNT = {"web:switch_company", "web:password_change", "web:password_change_done"}
# Which of the victim's records fills an object page's ``pk``, by URL name prefix.
PK_OF = {
    "web:party_": "party_id",
    "web:user_": "user_id",
    "finance:invoice_": "invoice_id",
    "finance:entry_": "entry_id",
    "finance:account_": "account_id",
    "finance:statement_": "statement_id",
    "finance:bank_line_": "bank_line_id",
    "finance:fiscal_year_": "fiscal_year_id",
    "crm:lead_": "lead_id",
    "crm:opportunity_": "opportunity_id",
    "crm:activity_": "activity_id",
    "crm:team_": "team_id",
    "crm:rule_": "rule_id",
    "inventory:product_": "product_id",
    "inventory:transfer_": "transfer_id",
    "inventory:count_": "stock_location_id",
}
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


@pytest.fixture
def victim(company, admin):
    """The company under attack, with one record of every kind a page can name."""
    finance.ledger_setup(actor=None, company=company)
    seller = member(company, "sales", full_name=f"{SENTINEL} Seller")
    target = party(company, f"{SENTINEL} Party", emails=["secret@victim.example"], roles=["customer"])
    other = party(company, f"{SENTINEL} Partner")
    link = services.party_link(actor=admin, company=company, from_party_id=target.pk, to_party_id=other.pk, kind="partner_of")
    from spona.back.finance.models import Account, Journal

    income = Account.objects.get(company=company, code="4000")
    invoice = finance.invoice_create(
        actor=None,
        company=company,
        kind="out_invoice",
        party_id=target.pk,
        invoice_date=dt.date(2026, 5, 1),
        lines=[finance.InvoiceLineIn(description=f"{SENTINEL} line", account_id=income.pk, unit_price=D("100.00"))],
    )
    entry = finance.entry_create(
        actor=None,
        company=company,
        journal_id=Journal.objects.get(company=company, code="GEN").pk,
        date=dt.date(2026, 5, 2),
        memo=SENTINEL,
        lines=[finance.LineIn(account_id=income.pk, credit=D(5)), finance.LineIn(account_id=income.pk, debit=D(5))],
    )
    statement = finance.statement_import(
        actor=None,
        company=company,
        journal_id=Journal.objects.get(company=company, code="BNK").pk,
        file_format="csv",
        data=f"date,amount,text\n2026-05-03,12.50,{SENTINEL} bank line\n".encode(),
        csv_mapping={"date": "date", "amount": "amount", "label": "text"},
    )
    EventDelivery.objects.filter(event__company=company).update(status=EventDelivery.Status.DEAD, last_error=SENTINEL)
    return {
        "party_id": target.pk,
        "user_id": seller.pk,
        "invoice_id": invoice.pk,
        "entry_id": entry.pk,
        "account_id": income.pk,
        "link_id": link.pk,
        "statement_id": statement.pk,
        "bank_line_id": statement.lines.get().pk,
        "fiscal_year_id": finance.fiscal_year_of(company=company, day=dt.date(2026, 5, 1)).pk,
        **inventory_records(company),
        **crm_records(company),
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
def test_no_page_gives_away_another_companys_or_roles_data(client, company, other_company, victim, name, pattern):
    url = _url(name, pattern, victim)
    permission = _permission(pattern)
    victim_party = party(company, "Portal Customer")
    portal = member(company, "portal", party=victim_party)
    stranger = member(other_company, "admin", "finance", "management")
    no_role = member(company, *_without(permission), party=victim_party)
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
            if who == "other company" and "<int:" not in str(pattern.pattern):
                # A list or form page shows the stranger their own company: fine, as long as none of the victim's data.
                assert response.status_code < 500, (who, method, url, response.status_code)
            else:
                assert response.status_code in (403, 404, 405), (who, method, url, response.status_code)
            assert SENTINEL not in body, (who, method, url)
