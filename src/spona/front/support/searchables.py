"""How support records are found and started from anywhere: tickets, and knowledge articles for agents and for everyone."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spona.core import search
from spona.front.support.models import Article, Ticket
from spona.web import palette
from spona.web.palette import PaletteAction

# What the entry and the hit are made of (title, subtitle, text, include): the index reads a ticket
# after each change to it, so it reads these columns, in no particular order, and nothing more.
TICKET_FIELDS = (
    "company_id", "number", "subject", "requester_email", "tags", "status", "priority", "merged_into_id",
    "party__name", "contact__name",
)  # fmt: skip


def _tickets(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.select_related("party", "contact").only(*TICKET_FIELDS).order_by()


def _ticket_subtitle(ticket: Ticket) -> str:
    who = ticket.party.name if ticket.party_id else ticket.requester_email
    return " · ".join(part for part in (who, str(ticket.get_status_display()), str(ticket.get_priority_display())) if part)


def _ticket_text(ticket: Ticket) -> str:
    return " ".join((ticket.contact.name if ticket.contact_id else "", ticket.requester_email, " ".join(ticket.tags)))


def _article_subtitle(article: Article) -> str:
    state = _("published") if article.is_published else _("draft")
    return " · ".join((str(article.get_visibility_display()), str(state), article.language))


def _help_url(article: Article) -> str:
    return reverse("support_public:help_article", kwargs={"code": article.company.code, "slug": article.slug})


def register_all() -> None:
    search.register(
        search.SearchKind(
            name="support.ticket",
            label=_("Tickets"),
            model=Ticket,
            permission="support.view",
            url_name="support:ticket_detail",
            title=str,
            subtitle=_ticket_subtitle,
            text=_ticket_text,
            include=lambda ticket: ticket.merged_into_id is None,
            queryset=_tickets,
            icon="life-preserver",
        )
    )
    # Agents find every article, internal ones and drafts too, and open the editor's page.
    search.register(
        search.SearchKind(
            name="support.article",
            label=_("Knowledge base"),
            model=Article,
            permission="support.view",
            url_name="support:article_detail",
            title=lambda article: article.title,
            subtitle=_article_subtitle,
            text=lambda article: article.body_markdown[:2000],
            icon="book",
        )
    )
    # Colleagues outside support find what customers can read: published public articles, on the help centre.
    search.register(
        search.SearchKind(
            name="support.help_article",
            label=_("Help centre"),
            model=Article,
            permission="core.view_company",
            unless="support.view",
            url_name="support_public:help_article",
            url=_help_url,
            title=lambda article: article.title,
            subtitle=lambda article: article.language,
            text=lambda article: article.body_markdown[:2000],
            include=lambda article: article.visibility == Article.Visibility.PUBLIC and article.is_published,
            queryset=lambda qs: qs.select_related("company"),
            icon="question-circle",
        )
    )
    palette.register(
        PaletteAction(_("New ticket"), "support:ticket_create", "support.manage", icon="life-preserver", keywords="case issue"),
        PaletteAction(_("New article"), "support:article_create", "support.manage", icon="book", keywords="knowledge help"),
    )
