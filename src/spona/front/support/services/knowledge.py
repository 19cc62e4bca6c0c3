"""The knowledge base: categories and articles, each edit kept as a version; "was this helpful"."""

from __future__ import annotations

from django.db.models import F
from django.utils.text import slugify

from spona.core import audit
from spona.core.db import service_atomic
from spona.core.errors import Conflict, NotFound, ValidationFailed
from spona.core.models import Company, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise
from spona.front.support import bodies
from spona.front.support.models import Article, ArticleVersion, Category

# The help centre's own pages under /help/<code>/: an article with one of these slugs could not be reached.
HELP_CENTRE_PAGES = frozenset({"contact", "chat"})


@service_atomic
def category_create(*, actor: User | None, company: Company, name: str) -> Category:
    """Add a knowledge-base category (its slug comes from the name)."""
    if actor is not None:
        require(actor, "support.manage", company)
    category = Category(company=company, name=name.strip(), slug=slugify(name)[:100] or "category")
    full_clean_or_raise(category, exclude=["company"])
    if Category.objects.filter(company=company, slug=category.slug).exists():
        raise ValidationFailed("Another category has this name.", field_errors={"name": ["Taken."]})
    category.save()
    audit.record(actor=actor, target=category, action="created")
    return category


def _category(company: Company, category_id: int | None) -> Category | None:
    if not category_id:
        return None
    category = Category.objects.filter(pk=category_id, company=company).first()
    if category is None:
        raise ValidationFailed("Choose a category of this company.", field_errors={"category_id": ["Unknown category."]})
    return category


def _check(title: str, body: str, visibility: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give a title."]
    if not body.strip():
        errors["body_markdown"] = ["Write the article."]
    if visibility not in Article.Visibility.values:
        errors["visibility"] = ["Unknown visibility."]
    return errors


@service_atomic
def article_create(
    *,
    actor: User | None,
    company: Company,
    title: str,
    body_markdown: str,
    category_id: int | None = None,
    visibility: str = Article.Visibility.INTERNAL,
    language: str = "en",
    is_published: bool = False,
) -> Article:
    """Write an article; its Markdown is rendered and sanitised once, here."""
    if actor is not None:
        require(actor, "support.manage", company)
    errors = _check(title, body_markdown, visibility)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    slug = slugify(title)[:180] or "article"
    taken = set(Article.objects.filter(company=company, slug__startswith=slug, language=language).values_list("slug", flat=True))
    taken |= HELP_CENTRE_PAGES
    unique, n = slug, 2
    while unique in taken:
        unique, n = f"{slug}-{n}", n + 1
    article = Article(
        company=company, category=_category(company, category_id), title=title.strip()[:200], slug=unique,
        language=(language or "en")[:10], body_markdown=body_markdown, body_html=bodies.markdown_to_html(body_markdown),
        visibility=visibility, is_published=is_published,
    )  # fmt: skip
    full_clean_or_raise(article, exclude=["company"])
    article.save()
    audit.record(actor=actor, target=article, action="created")
    return article


@service_atomic
def article_update(
    *,
    actor: User,
    company: Company,
    article_id: int,
    version: int,
    title: str,
    body_markdown: str,
    category_id: int | None = None,
    visibility: str = Article.Visibility.INTERNAL,
    is_published: bool = False,
) -> Article:
    """Change an article; the text it had is kept as a version. A stale version raises Conflict."""
    require(actor, "support.manage", company)
    article = Article.objects.select_for_update().filter(pk=article_id, company=company).first()
    if article is None:
        raise NotFound("No such article.")
    if article.version != version:
        raise Conflict("Someone changed this article since you opened it; reload and try again.", code="stale_version")
    errors = _check(title, body_markdown, visibility)
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    ArticleVersion.objects.create(
        company=company, article=article, version=article.version, title=article.title, body_markdown=article.body_markdown,
        author=actor,
    )  # fmt: skip
    before = audit.snapshot(article, ["title", "visibility", "is_published", "category"])
    article.title, article.body_markdown = title.strip()[:200], body_markdown
    article.body_html = bodies.markdown_to_html(body_markdown)
    article.category, article.visibility, article.is_published = _category(company, category_id), visibility, is_published
    article.version += 1
    article.save()
    after = audit.snapshot(article, ["title", "visibility", "is_published", "category"])
    audit.record(actor=actor, target=article, action="updated", changes=audit.diff(before, after))
    return article


def article_feedback(*, company: Company, article_id: int, helpful: bool, public_only: bool = True) -> None:
    """Count one "was this helpful" answer (the public help centre needs no login)."""
    qs = Article.objects.filter(pk=article_id, company=company)
    if public_only:
        qs = qs.filter(visibility=Article.Visibility.PUBLIC, is_published=True)
    field = "helpful_yes" if helpful else "helpful_no"
    if not qs.update(**{field: F(field) + 1}):
        raise NotFound("No such article.")
