"""Knowledge-base screens for agents: list with search, read, write and edit articles."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from spona.core.errors import ApplicationError
from spona.front.support import selectors, services
from spona.front.support.forms import ArticleForm
from spona.front.support.models import Category
from spona.front.support.views.common import caller, crumbs
from spona.web.views.base import apply_error, can, company_view


def _categories(company) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return list(Category.objects.filter(company=company).values_list("pk", "name"))


@require_GET
@company_view("support.view")
def article_list(request: HttpRequest) -> HttpResponse:
    user, company = caller(request)
    q = request.GET.get("q", "")[:200]
    articles = selectors.article_list(user=user, company=company, q=q)
    return render(
        request,
        "support/article_list.html",
        {"articles": articles, "q": q, "can_manage": can(request, "support.manage"), "breadcrumbs": crumbs("articles")},
    )


@require_GET
@company_view("support.view")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    article = selectors.article_get(user=user, company=company, article_id=pk)
    return render(
        request,
        "support/article_detail.html",
        {
            "article": article,
            "versions": article.versions.all()[:20],
            "can_manage": can(request, "support.manage"),
            "breadcrumbs": crumbs("articles", (article.title, None)),
        },
    )


@company_view("support.manage")
def article_create(request: HttpRequest) -> HttpResponse:
    user, company = caller(request)
    form = ArticleForm(request.POST or None, categories=_categories(company))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            article = services.article_create(
                actor=user,
                company=company,
                title=d["title"],
                body_markdown=d["body_markdown"],
                category_id=d["category"],
                visibility=d["visibility"],
                language=d["language"],
                is_published=d["is_published"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"category_id": "category"})
        else:
            messages.success(request, _("Article saved."))
            return redirect("support:article_detail", pk=article.pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("New article"),
            "cancel_url": reverse("support:article_list"),
            "breadcrumbs": crumbs("articles", (_("New article"), None)),
        },
    )


@company_view("support.manage")
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, company = caller(request)
    article = selectors.article_get(user=user, company=company, article_id=pk)
    initial = {
        "title": article.title, "category": article.category_id, "visibility": article.visibility, "language": article.language,
        "is_published": article.is_published, "body_markdown": article.body_markdown, "version": article.version,
    }  # fmt: skip
    form = ArticleForm(request.POST or None, initial=initial, categories=_categories(company))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.article_update(
                actor=user,
                company=company,
                article_id=pk,
                version=d["version"] or 0,
                title=d["title"],
                body_markdown=d["body_markdown"],
                category_id=d["category"],
                visibility=d["visibility"],
                is_published=d["is_published"],
            )
        except ApplicationError as exc:
            apply_error(form, exc, {"category_id": "category"})
        else:
            messages.success(request, _("Article saved."))
            return redirect("support:article_detail", pk=pk)
    return render(
        request,
        "web/components/form.html",
        {
            "form": form,
            "title": _("Edit article"),
            "cancel_url": reverse("support:article_detail", args=[pk]),
            "breadcrumbs": crumbs("articles", (article.title, None)),
        },
    )
