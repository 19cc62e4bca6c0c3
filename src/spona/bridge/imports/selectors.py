"""Reads of the imports app: a company's import jobs, as their screens and the API show them."""

from __future__ import annotations

from django.db.models import QuerySet

from spona.bridge.imports import registry
from spona.bridge.imports.models import ImportJob
from spona.core.errors import NotFound
from spona.core.models import Company, User
from spona.core.permissions import has_perm, require


def _visible(user: User, company: Company) -> QuerySet[ImportJob]:
    """Jobs of the kinds the user may import: a finance clerk does not read the parties file of sales."""
    require(user, "imports.use", company)
    kinds = [i.kind for i in registry.REGISTRY.values() if has_perm(user, i.permission, company)]
    return ImportJob.objects.filter(company=company, kind__in=kinds).select_related("created_by")


def job_list(*, user: User, company: Company, limit: int = 50) -> list[ImportJob]:
    """The latest imports of the company, newest first (without the files)."""
    return list(_visible(user, company).defer("content").order_by("-created_at", "-pk")[: max(1, min(limit, 200))])


def job_get(*, user: User, company: Company, job_id: int) -> ImportJob:
    """One import of the company, of a kind the user may import; raises NotFound otherwise."""
    job = _visible(user, company).defer("content").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such import.")
    return job
