"""Sales teams and assignment rules (management)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core.errors import ApplicationError, NotFound
from spona.front.crm import selectors, services
from spona.front.crm.forms import RuleForm, TeamForm
from spona.front.crm.views.common import caller, crumbs
from spona.web.views.base import apply_error, company_view

FIELD_MAP = {"member_ids": "members", "leader_id": "leader", "team_id": "team"}


@require_GET
@company_view("crm.manage_teams")
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams with their members and territory, and the assignment rules in the order they are tried."""
    user, company = caller(request)
    return render(
        request,
        "crm/team_list.html",
        {
            "teams": selectors.team_list(user=user, company=company),
            "rules": selectors.rule_list(user=user, company=company),
            "breadcrumbs": crumbs("teams"),
        },
    )


def _team_form(request: HttpRequest, pk: int | None) -> HttpResponse:
    user, company = caller(request)
    users = selectors.member_choices(user=user, company=company)
    team = next((t for t in selectors.team_list(user=user, company=company) if t.pk == pk), None) if pk else None
    if pk and team is None:
        raise NotFound("No such team.")
    initial = (
        {"name": team.name, "members": [m.pk for m in team.members.all()], "leader": team.leader_id, "countries": team.countries}
        if team
        else {}
    )
    form = TeamForm(request.POST or None, initial=initial, users=users)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if team is None:
                services.team_create(
                    actor=user,
                    company=company,
                    name=data["name"],
                    member_ids=data["members"],
                    leader_id=data["leader"],
                    countries=data["countries"],
                )
            else:
                services.team_update(
                    actor=user,
                    company=company,
                    team_id=team.pk,
                    name=data["name"],
                    member_ids=data["members"],
                    leader_id=data["leader"],
                    countries=data["countries"],
                )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Team saved."))
            return redirect("crm:team_list")
    title = _("Edit team %(name)s") % {"name": team.name} if team else _("New team")
    return render(
        request,
        "web/components/form.html",
        {"form": form, "title": title, "cancel_url": reverse("crm:team_list"), "breadcrumbs": crumbs("teams", (title, None))},
    )


@company_view("crm.manage_teams")
def team_create(request: HttpRequest) -> HttpResponse:
    """Create a sales team."""
    return _team_form(request, None)


@company_view("crm.manage_teams")
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a sales team."""
    return _team_form(request, pk)


@company_view("crm.manage_teams")
def rule_create(request: HttpRequest) -> HttpResponse:
    """Add an assignment rule."""
    user, company = caller(request)
    form = RuleForm(request.POST or None, teams=selectors.team_list(user=user, company=company))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_create(
                actor=user,
                company=company,
                name=data["name"],
                method=data["method"],
                team_id=data["team"],
                sequence=data["sequence"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, FIELD_MAP)
        else:
            messages.success(request, _("Rule added."))
            return redirect("crm:team_list")
    title = _("New assignment rule")
    return render(
        request,
        "web/components/form.html",
        {"form": form, "title": title, "cancel_url": reverse("crm:team_list"), "breadcrumbs": crumbs("teams", (title, None))},
    )


@require_POST
@company_view("crm.manage_teams")
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an assignment rule."""
    user, company = caller(request)
    services.rule_delete(actor=user, company=company, rule_id=pk)
    messages.success(request, _("Rule removed."))
    return redirect("crm:team_list")
