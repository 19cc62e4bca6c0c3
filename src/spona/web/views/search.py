"""Global search: the results page and the command palette (Ctrl/Cmd+K) every page carries."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spona.core import search
from spona.web import palette
from spona.web.views.base import company_view

MAX_QUERY = 200


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY]


@company_view("core.view_company")
def search_page(request: HttpRequest) -> HttpResponse:
    """Every kind of record the user may see that matches the words, grouped by kind, with a kind filter."""
    query = _query(request)
    kinds = search.kinds_for(request.user, request.company)  # type: ignore[arg-type]
    chosen = request.GET.get("kind", "")
    wanted = [chosen] if chosen in {k.name for k in kinds} else None
    hits = search.search(user=request.user, company=request.company, query=query, kinds=wanted, limit=50)  # type: ignore[arg-type]
    groups: dict[str, dict] = {}
    for hit in hits:
        groups.setdefault(hit.kind, {"label": hit.label, "icon": hit.icon, "hits": []})["hits"].append(hit)
    return render(
        request,
        "web/search.html",
        {"query": query, "kinds": kinds, "chosen": chosen if wanted else "", "groups": list(groups.values()), "count": len(hits)},
    )


@company_view("core.view_company")
def search_palette(request: HttpRequest) -> HttpResponse:
    """The palette's list for what has been typed so far: pages, create actions and records."""
    query = _query(request)
    found = palette.results(user=request.user, company=request.company, query=query)  # type: ignore[arg-type]
    return render(request, "web/partials/_palette_results.html", {"query": query, **found})
