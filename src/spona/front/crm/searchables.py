"""How CRM records are found and started from anywhere: leads and opportunities in global search, palette shortcuts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from spona.core import search
from spona.front.crm.models import Lead, Opportunity
from spona.web import palette
from spona.web.palette import PaletteAction


def _lead_title(lead: Lead) -> str:
    return str(lead) or lead.email


def _lead_subtitle(lead: Lead) -> str:
    names = lead.contact_name if lead.company_name else ""
    return " · ".join(part for part in (str(lead.get_status_display()), names, lead.email) if part)


def _opportunities(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    return queryset.select_related("party", "contact", "stage")


def _opportunity_subtitle(opportunity: Opportunity) -> str:
    return " · ".join((opportunity.party.name, str(opportunity.get_status_display()), opportunity.stage.name))


def _opportunity_text(opportunity: Opportunity) -> str:
    return opportunity.contact.name if opportunity.contact_id else ""


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="crm.lead",
            label=_("Leads"),
            model=Lead,
            permission="crm.view_leads",
            url_name="crm:lead_detail",
            title=_lead_title,
            subtitle=_lead_subtitle,
            text=lambda lead: " ".join((lead.contact_name, lead.company_name, lead.email, lead.phone)),
            icon="funnel",
        )
    )
    search.register(
        search.SearchKind(
            name="crm.opportunity",
            label=_("Opportunities"),
            model=Opportunity,
            permission="crm.view",
            url_name="crm:opportunity_detail",
            title=lambda opportunity: opportunity.title,
            subtitle=_opportunity_subtitle,
            text=_opportunity_text,
            queryset=_opportunities,
            icon="briefcase",
        )
    )
    palette.register(
        PaletteAction(_("New lead"), "crm:lead_create", "crm.manage", icon="funnel", keywords="lead prospect"),
        PaletteAction(_("New opportunity"), "crm:opportunity_create", "crm.manage", icon="briefcase", keywords="deal pipeline"),
    )
