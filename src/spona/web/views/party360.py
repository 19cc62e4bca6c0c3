"""The 360° page's summary strip and timeline filter: each department's key figures, read through its selectors.

A figure shows only to users holding the permission of the department it comes from; the
timeline shows only the entries of apps the user may read, and counts the others as hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from spona.back.finance.selectors.sales import customer_exposure, lifetime_value
from spona.core import selectors
from spona.core.models import Party
from spona.core.money import precision
from spona.front.crm import selectors as crm
from spona.front.sales import selectors as sales
from spona.front.support import selectors as support
from spona.web.views.base import can

# The events that mean someone spoke with the party: its "last contact".
CONTACT_EVENTS = (
    "crm.activity_done",
    "crm.email_sent",
    "support.ticket_created",
    "support.customer_replied",
    "support.ticket_replied",
)
OFFICES = {"front": gettext_lazy("Front office"), "back": gettext_lazy("Back office"), "bridge": gettext_lazy("Automation")}


@dataclass(frozen=True)
class Figure:
    """One key figure of the summary strip: ``value`` big, ``detail`` small below it, ``tone`` a Bootstrap colour."""

    key: str
    label: str
    value: str
    detail: str = ""
    tone: str = ""


def _money(request: HttpRequest, amount: Any) -> str:
    currency = request.company.base_currency  # type: ignore[attr-defined]
    return f"{number_format(amount, precision(currency), use_l10n=True, force_grouping=True)} {currency}"


def summary(request: HttpRequest, party: Party) -> list[Figure]:
    """The key figures of a party that this user may see, one or two queries each."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    figures = []
    if can(request, "finance.view_customer_balance"):
        exposure = customer_exposure(company=company, party_id=party.pk, on=timezone.localdate())
        overdue = _("%(amount)s overdue") % {"amount": _money(request, exposure.overdue)} if exposure.overdue else ""
        balance = _money(request, exposure.receivable)
        figures.append(Figure("balance", _("Open balance"), balance, overdue, "danger" if overdue else ""))
        value = lifetime_value(company=company, party_id=party.pk)
        figures.append(Figure("lifetime", _("Lifetime value"), _money(request, value)))
    if can(request, "crm.view"):
        count, revenue = crm.party_open_pipeline(user=user, company=company, party_id=party.pk)
        figures.append(Figure("pipeline", _("Open opportunities"), str(count), _money(request, revenue) if count else ""))
    if can(request, "sales.view"):
        count, total = sales.party_orders_in_flight(user=user, company=company, party_id=party.pk)
        figures.append(Figure("orders", _("Orders in flight"), str(count), _money(request, total) if count else ""))
    if can(request, "support.view"):
        tickets = support.party_figures(user=user, company=company, party=party)
        if tickets.breached:
            sla, tone = _("%(n)s past their SLA") % {"n": tickets.breached}, "danger"
        elif tickets.warning:
            sla, tone = _("%(n)s due soon") % {"n": tickets.warning}, "warning"
        else:
            sla, tone = (_("all within their SLA") if tickets.open_count else ""), ""
        figures.append(Figure("tickets", _("Open tickets"), str(tickets.open_count), sla, tone))
        rating = tickets.latest_rating
        figures.append(
            Figure(
                "csat",
                _("Latest satisfaction"),
                rating.get_rating_display() if rating else "—",
                _("ticket %(number)s") % {"number": rating.ticket.number} if rating else _("no answer yet"),
                ("success" if rating.rating == rating.Rating.GOOD else "danger") if rating else "",
            )
        )
    last = selectors.party_timeline(user=user, company=company, party=party, names=CONTACT_EVENTS, limit=1)
    figures.append(
        Figure(
            "contact",
            _("Last contact"),
            timezone.localtime(last[0].occurred_at).strftime("%Y-%m-%d") if last else "—",
            last[0].title if last else _("none recorded"),
        )
    )
    return figures


def office_of(app: str) -> str:
    """ "front", "back" or "bridge" for a domain app, "core" for the registry itself."""
    if app == "core":
        return "core"
    return django_apps.get_app_config(app).name.split(".")[1]


def timeline_filters() -> list[dict[str, Any]]:
    """The timeline's filter: every office, then the apps of each office (and the registry)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for app in selectors.timeline_apps():
        label = _("Registry") if app == "core" else str(django_apps.get_app_config(app).verbose_name)
        groups.setdefault(office_of(app), []).append((app, label))
    return [
        {"office": office, "label": OFFICES.get(office, _("Registry")), "apps": apps}
        for office, apps in sorted(groups.items(), key=lambda item: ("front", "back", "bridge", "core").index(item[0]))
    ]


def apps_of(choice: str) -> list[str] | None:
    """The apps a timeline filter value stands for: an office, one app, or None for everything."""
    known = selectors.timeline_apps()
    if choice in OFFICES:
        return [app for app in known if office_of(app) == choice]
    if choice in known:
        return [choice]
    return None
