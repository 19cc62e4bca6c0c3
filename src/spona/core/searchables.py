"""The kernel's records in global search: parties, found by name, tax id, e-mail and phone."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spona.core import search
from spona.core.models import Party


def _parties(queryset: QuerySet[Party]) -> QuerySet[Party]:
    return queryset.prefetch_related("contact_points")


def _party_subtitle(party: Party) -> str:
    primary = next((c.value for c in party.contact_points.all() if c.is_primary), "")
    return " · ".join(part for part in (str(party.get_kind_display()), party.tax_id, primary) if part)


def _party_text(party: Party) -> str:
    return " ".join([party.given_name, party.family_name, *(c.value for c in party.contact_points.all())])


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="core.party",
            label=_("Customers & contacts"),
            model=Party,
            permission="core.view_party",
            url_name="web:party_detail",
            title=lambda party: party.name,
            subtitle=_party_subtitle,
            text=_party_text,
            include=lambda party: party.merged_into_id is None,
            queryset=_parties,
            icon="person-vcard",
        )
    )
