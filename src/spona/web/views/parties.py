"""The party registry: list and search, register and edit, link, merge, and the 360° page."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from spona.core import selectors, services
from spona.core.errors import ApplicationError, NotFound, ValidationFailed
from spona.core.models import Party
from spona.web.forms import (
    LINK_CHOICES,
    AddressFormSet,
    LinkForm,
    MergeForm,
    PartyFilterForm,
    PartyForm,
    address_initial,
    address_inputs,
)
from spona.web.panels import panels_for
from spona.web.views import party360
from spona.web.views.base import apply_error, can, company_view

PAGE_SIZE = 25
TIMELINE_PAGE = 20
TIMELINE_MAX = 500
_ADDRESS_FIELD = re.compile(r"^addresses\[(\d+)\]\.(\w+)$")


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Customers & contacts"), reverse("web:party_list")), *items]


# List and search ------------------------------------------------------------------------------


@require_GET
@company_view("core.view_party")
def party_list(request: HttpRequest) -> HttpResponse:
    """List parties with search and filters; an htmx request gets only the results (live search)."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    tags = list(selectors.tag_list(user=user, company=company).values_list("name", flat=True))  # type: ignore[arg-type]
    form = PartyFilterForm(request.GET, tags=tags)
    form.is_valid()  # a bad value drops only its own filter; cleaned_data keeps the good ones
    filters = {k: form.cleaned_data.get(k) or "" for k in ("q", "kind", "role", "tag")}
    try:
        page = selectors.party_list(
            user=user,  # type: ignore[arg-type]
            company=company,
            cursor=form.cleaned_data.get("cursor") or None,
            limit=PAGE_SIZE,
            **filters,
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        page = selectors.party_list(user=user, company=company, limit=PAGE_SIZE, **filters)  # type: ignore[arg-type]
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "first_page": bool(request.GET.get("cursor")),
        "query": query.urlencode(),
        "can_change": can(request, "core.change_party"),
        "breadcrumbs": _crumbs(),
    }
    if request.htmx and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, "web/partials/_party_results.html", context)
    return render(request, "web/party_list.html", context)


@require_GET
@company_view("core.view_party")
def party_search(request: HttpRequest) -> JsonResponse:
    """Answer the party picker: up to 10 parties matching ``q``, as JSON."""
    q = request.GET.get("q", "")[:100]
    exclude = request.GET.get("exclude", "")
    page = selectors.party_list(user=request.user, company=request.company, q=q, limit=11)  # type: ignore[arg-type,attr-defined]
    results = [{"id": p.pk, "name": p.name, "kind": p.get_kind_display()} for p in page.items if str(p.pk) != exclude][:10]
    return JsonResponse({"results": results})


# Register and edit ------------------------------------------------------------------------------


def _apply_party_error(form: PartyForm, addresses: forms.BaseFormSet, used: list[Any], exc: ApplicationError) -> None:
    """Put a service's refusal on the party form and on the address rows it names."""
    if not isinstance(exc, ValidationFailed):
        apply_error(form, exc)
        return
    rest: dict[str, list[str]] = {}
    for key, msgs in exc.field_errors.items():
        match = _ADDRESS_FIELD.match(key)
        if match and int(match.group(1)) < len(used):
            row = used[int(match.group(1))]
            for message in msgs:
                row.add_error(match.group(2) if match.group(2) in row.fields else None, message)
        else:
            rest[key] = msgs
    # A person's name is built from given and family name: show its errors there.
    apply_error(
        form,
        ValidationFailed(exc.message, field_errors=rest),
        field_map={"name": "given_name"} if form.kind == "person" else None,
    )


def _used_address_forms(addresses: forms.BaseFormSet) -> list[Any]:
    return [f for f in addresses.forms if not f.is_blank() and not addresses._should_delete_form(f)]


def _kind(request: HttpRequest) -> str:
    wanted = request.POST.get("kind") or request.GET.get("kind") or ""
    return wanted if wanted in Party.Kind.values else Party.Kind.ORGANISATION


@company_view("core.change_party")
def party_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation or a person; warn first when it looks like an existing party."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    kind = _kind(request)
    form = PartyForm(request.POST or None, kind=kind, initial={"kind": kind})
    addresses = AddressFormSet(request.POST or None, prefix="addr")
    duplicates: list[Party] = []
    if request.method == "POST" and form.is_valid() and addresses.is_valid():
        data = form.to_input(address_inputs(addresses))
        if not form.cleaned_data["confirm_duplicate"]:
            duplicates = selectors.party_duplicates(
                user=user,  # type: ignore[arg-type]
                company=company,
                name=data.name or f"{data.given_name} {data.family_name}".strip(),
                emails=data.emails,
                tax_id=data.tax_id,
            )
        if not duplicates:
            try:
                party = services.party_create(actor=user, company=company, data=data)  # type: ignore[arg-type]
            except ApplicationError as exc:
                _apply_party_error(form, addresses, _used_address_forms(addresses), exc)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": party.name})
                return redirect("web:party_detail", pk=party.pk)
    title = _("New person") if kind == Party.Kind.PERSON else _("New organisation")
    return render(
        request,
        "web/party_form.html",
        {
            "form": form,
            "addresses": addresses,
            "duplicates": duplicates,
            "title": title,
            "kind": kind,
            "cancel_url": reverse("web:party_list"),
            "breadcrumbs": _crumbs((title, None)),
        },
        status=422 if form.errors or any(addresses.errors) or addresses.non_form_errors() else 200,
    )


@company_view("core.change_party")
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a party; a stale edit (someone saved in between) is refused with a clear message."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    party = selectors.party_get(user=user, company=company, party_id=pk)  # type: ignore[arg-type]
    if party.pk != pk:
        return redirect("web:party_edit", pk=party.pk)
    form = PartyForm(request.POST or None, kind=party.kind, initial=PartyForm.initial_for(party))
    addresses = AddressFormSet(request.POST or None, prefix="addr", initial=address_initial(party))
    stale = False
    if request.method == "POST" and form.is_valid() and addresses.is_valid():
        try:
            services.party_update(
                actor=user,  # type: ignore[arg-type]
                company=company,
                party_id=party.pk,
                version=form.cleaned_data["version"] or 0,
                data=form.to_input(address_inputs(addresses)),
            )
        except ApplicationError as exc:
            stale = exc.code == "conflict"
            _apply_party_error(form, addresses, _used_address_forms(addresses), exc)
        else:
            messages.success(request, _("Your changes to %(name)s are saved.") % {"name": party.name})
            return redirect("web:party_detail", pk=party.pk)
    title = _("Edit %(name)s") % {"name": party.name}
    return render(
        request,
        "web/party_form.html",
        {
            "form": form,
            "addresses": addresses,
            "party": party,
            "stale": stale,
            "title": title,
            "kind": party.kind,
            "cancel_url": reverse("web:party_detail", args=[party.pk]),
            "breadcrumbs": _crumbs((party.name, reverse("web:party_detail", args=[party.pk])), (_("Edit"), None)),
        },
        status=409 if stale else 422 if form.errors or any(addresses.errors) else 200,
    )


# The 360° page --------------------------------------------------------------------------------


@require_GET
@company_view("core.view_party")
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show everything known about a party: the header, then each registered panel in order."""
    party = selectors.party_get(user=request.user, company=request.company, party_id=pk)  # type: ignore[arg-type,attr-defined]
    if party.pk != pk:
        messages.info(request, _("That record was merged into %(name)s.") % {"name": party.name})
        return redirect("web:party_detail", pk=party.pk)
    contacts = list(party.contact_points.all())
    return render(
        request,
        "web/party_detail.html",
        {
            "party": party,
            "emails": [c for c in contacts if c.kind == "email"],
            "phones": [c for c in contacts if c.kind == "phone"],
            "figures": party360.summary(request, party),
            "panels": panels_for(request, party),
            "can_change": can(request, "core.change_party"),
            "can_merge": can(request, "core.merge_party"),
            "breadcrumbs": _crumbs((party.name, None)),
        },
    )


def related_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Context of the related-parties panel: links in both directions, read from this party's side."""
    labels = dict(LINK_CHOICES)
    rows = []
    for rel in selectors.party_relationships(user=request.user, company=request.company, party=party):  # type: ignore[arg-type,attr-defined]
        outgoing = rel.from_party_id == party.pk
        label = rel.get_kind_display() if outgoing else labels.get(f"{rel.kind}:inverse", rel.get_kind_display())
        rows.append({"pk": rel.pk, "label": label, "other": rel.to_party if outgoing else rel.from_party, "title": rel.title})
    return {
        "relationships": rows,
        "link_form": LinkForm(auto_id="link_%s") if can(request, "core.change_party") else None,
        "can_change": can(request, "core.change_party"),
    }


def _timeline_context(request: HttpRequest, party: Party, department: str, limit: int) -> dict[str, Any]:
    user, company = request.user, request.company  # type: ignore[attr-defined]
    apps = party360.apps_of(department)
    entries = selectors.party_timeline(user=user, company=company, party=party, apps=apps, limit=limit + 1)  # type: ignore[arg-type]
    return {
        "entries": entries[:limit],
        "hidden": selectors.party_timeline_hidden(user=user, company=company, party=party, apps=apps),  # type: ignore[arg-type]
        "more": len(entries) > limit and limit < TIMELINE_MAX,
        "next_limit": min(limit + TIMELINE_PAGE, TIMELINE_MAX),
        "department": department if apps is not None else "",
        "filters": party360.timeline_filters(),
    }


def timeline_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Context of the timeline panel: the latest entries of every department."""
    return _timeline_context(request, party, "", TIMELINE_PAGE)


def audit_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Context of the audit panel: who changed this party, and how."""
    entries = selectors.audit_for(
        user=request.user,  # type: ignore[arg-type]
        company=request.company,  # type: ignore[attr-defined]
        target_type="core.party",
        target_id=party.pk,
        limit=20,
    )
    return {"entries": entries}


@require_GET
@company_view("core.view_party")
def party_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the timeline's filter (an office or one app) and "load more" (htmx) with the timeline partial."""
    party = selectors.party_get(user=request.user, company=request.company, party_id=pk)  # type: ignore[arg-type,attr-defined]
    department = request.GET.get("department", "")[:30]
    try:
        limit = min(max(int(request.GET.get("limit", TIMELINE_PAGE)), 1), TIMELINE_MAX)
    except ValueError:
        limit = TIMELINE_PAGE
    data = _timeline_context(request, party, department, limit)
    return render(request, "web/partials/_timeline.html", {"party": party, "data": data})


# Links ---------------------------------------------------------------------------------------


@require_POST
@company_view("core.change_party")
def party_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link this party with another one, in the direction the chosen wording says."""
    party = selectors.party_get(user=request.user, company=request.company, party_id=pk)  # type: ignore[arg-type,attr-defined]
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the other party and the kind of link."))
    else:
        from_id, to_id, kind = form.direction(party.pk)
        try:
            services.party_link(
                actor=request.user,  # type: ignore[arg-type]
                company=request.company,  # type: ignore[attr-defined]
                from_party_id=from_id,
                to_party_id=to_id,
                kind=kind,
                title=form.cleaned_data["title"],
            )
        except NotFound:
            messages.error(request, _("The other party does not exist in this company."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The link is saved."))
    return redirect(reverse("web:party_detail", args=[party.pk]) + "#related")


@require_POST
@company_view("core.change_party")
def party_unlink(request: HttpRequest, pk: int, relationship_id: int) -> HttpResponse:
    """Remove a link shown on this party's page."""
    party = selectors.party_get(user=request.user, company=request.company, party_id=pk)  # type: ignore[arg-type,attr-defined]
    services.party_unlink(actor=request.user, company=request.company, relationship_id=relationship_id)  # type: ignore[arg-type,attr-defined]
    messages.success(request, _("The link is removed."))
    return redirect(reverse("web:party_detail", args=[party.pk]) + "#related")


# Merge ---------------------------------------------------------------------------------------


@company_view("core.merge_party")
def party_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a duplicate into this party: choose it, see what moves, confirm."""
    user, company = request.user, request.company  # type: ignore[attr-defined]
    keep = selectors.party_get(user=user, company=company, party_id=pk)  # type: ignore[arg-type]
    if keep.pk != pk:
        return redirect("web:party_merge", pk=keep.pk)
    wanted = request.POST.get("merge_id") or request.GET.get("merge") or ""
    merge = None
    if wanted:
        try:
            merge = selectors.party_get(user=user, company=company, party_id=int(wanted))  # type: ignore[arg-type]
        except (ValueError, NotFound):
            messages.error(request, _("Choose a party of this company to merge."))
        if merge is not None and merge.pk == keep.pk:
            messages.error(request, _("Choose another party than the one you keep."))
            merge = None
    if request.method == "POST" and merge is not None and MergeForm(request.POST).is_valid():
        try:
            services.party_merge(actor=user, company=company, keep_id=keep.pk, merge_id=merge.pk)  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(merged)s is merged into %(kept)s.") % {"merged": merge.name, "kept": keep.name})
            return redirect("web:party_detail", pk=keep.pk)
    return render(
        request,
        "web/party_merge.html",
        {
            "party": keep,
            "merge": merge,
            "candidates": selectors.party_duplicates(user=user, company=company, party=keep),  # type: ignore[arg-type]
            "preview": selectors.party_merge_preview(user=user, company=company, merge=merge) if merge else [],  # type: ignore[arg-type]
            "form": MergeForm(initial={"merge_id": merge.pk}) if merge else None,
            "breadcrumbs": _crumbs((keep.name, reverse("web:party_detail", args=[keep.pk])), (_("Merge"), None)),
        },
    )
