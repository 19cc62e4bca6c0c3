"""The knowledge base: categories and articles (Markdown, sanitised), with their versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from spona.core.models import CompanyOwned


class Category(CompanyOwned):
    """A section of the knowledge base."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint("company", "slug", name="support_category_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Article(CompanyOwned):
    """A help article: Markdown as written, HTML as rendered and sanitised once on save.

    Internal articles are for agents only; public ones are shown under /help/ when published.
    """

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("Internal (agents)")
        PUBLIC = "public", _("Public")

    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    body_markdown = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(editable=False)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL)
    is_published = models.BooleanField(_("published"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    helpful_yes = models.PositiveIntegerField(default=0, editable=False)
    helpful_no = models.PositiveIntegerField(default=0, editable=False)

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint("company", "slug", "language", name="support_article_slug_unique")]

    def __str__(self) -> str:
        return self.title

    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC and self.is_published


class ArticleVersion(CompanyOwned):
    """An earlier text of an article, kept when it is edited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_markdown = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    personal_data: tuple[str, ...] = ()

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint("article", "version", name="support_article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version}"
