"""The imports REST endpoints under /api/v1/imports/: upload and check a file, import it, follow the job.

Thin by rule: each endpoint parses an explicit input schema, calls one imports service or
selector with ``request.user`` and ``request.company``, and shapes the answer. Another
company's job answers 404; a kind the caller's roles may not write 403.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from spona.bridge.imports import selectors, services
from spona.bridge.imports.models import ImportJob
from spona.bridge.imports.readers import MAX_BYTES
from spona.core.api import Id, Input, Text
from spona.core.errors import ValidationFailed
from spona.core.models import Company, User

router = Router(tags=["imports"])


def _caller(request: HttpRequest) -> tuple[User, Company]:
    return request.user, request.company  # type: ignore[attr-defined,return-value]


class ImportErrorOut(Schema):
    line: int = Field(description="Line of the file; 0 for the file as a whole.")
    column: str
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    file_name: str
    file_format: str
    state: str = Field(description="uploaded, checked, queued, running, done or failed.")
    headers: list[str]
    mapping: dict[str, str] = Field(description="Column of the file -> field it fills ('' when not imported).")
    options: dict[str, Any]
    total_rows: int
    processed_rows: int = Field(description="Rows done so far while the import runs.")
    imported: int = Field(description="Rows imported, or that the check found importable.")
    skipped: int
    error_count: int
    errors: list[ImportErrorOut] = Field(description="The first 500 errors.")
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportUploadIn(Input):
    kind: Text = Field(max_length=40, description="parties, products, leads, opening_balances or price_list_items.")
    file_name: Text = Field(max_length=200)
    content_base64: str = Field(max_length=MAX_BYTES * 4 // 3 + 4, description="The CSV or XLSX file, base64-encoded.")
    options: dict[str, Text | bool] = Field(
        default_factory=dict, description="The kind's options, e.g. date for opening balances."
    )


class ImportCheckIn(Input):
    mapping: dict[Text, Text] = Field(description="Column of the file -> field it fills; '' leaves it out.")
    options: dict[str, Text | bool] = Field(default_factory=dict)


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "file_name": job.file_name,
        "file_format": job.file_format,
        "state": job.state,
        "headers": job.headers,
        "mapping": job.mapping,
        "options": job.options,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "imported": job.created_count,
        "skipped": job.skipped_count,
        "error_count": job.error_count,
        "errors": job.errors,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.get("/jobs", response=list[ImportJobOut])
def list_import_jobs(request: HttpRequest) -> Any:
    """The company's latest 50 imports of the kinds the caller may import, newest first."""
    user, company = _caller(request)
    return [_out(job) for job in selectors.job_list(user=user, company=company)]


@router.post("/jobs", response={201: ImportJobOut})
def upload_import_job(request: HttpRequest, payload: ImportUploadIn) -> Any:
    """Upload a file and check it at once (dry run: nothing is written); the answer lists each bad row."""
    user, company = _caller(request)
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("content_base64 is not base64.", field_errors={"content_base64": ["Not base64."]}) from None
    job = services.job_upload(
        actor=user, company=company, kind=payload.kind, file_name=payload.file_name, content=content, options=payload.options
    )
    return Status(201, _out(selectors.job_get(user=user, company=company, job_id=job.pk)))


@router.get("/jobs/{import_job_id}", response=ImportJobOut)
def get_import_job(request: HttpRequest, import_job_id: Id) -> Any:
    """One import: its mapping, the check's errors, and the progress while it runs."""
    user, company = _caller(request)
    return _out(selectors.job_get(user=user, company=company, job_id=import_job_id))


@router.post("/jobs/{import_job_id}/check", response=ImportJobOut)
def check_import_job(request: HttpRequest, import_job_id: Id, payload: ImportCheckIn) -> Any:
    """Change the column mapping and options and check the file again (nothing is written)."""
    user, company = _caller(request)
    job = selectors.job_get(user=user, company=company, job_id=import_job_id)
    services.job_check(actor=user, company=company, job_id=job.pk, mapping=payload.mapping, options=payload.options)
    return _out(selectors.job_get(user=user, company=company, job_id=job.pk))


@router.post("/jobs/{import_job_id}/commit", response=ImportJobOut)
def commit_import_job(request: HttpRequest, import_job_id: Id) -> Any:
    """Import a checked file without errors, all rows or none; a large file is queued (state queued, then running)."""
    user, company = _caller(request)
    job = selectors.job_get(user=user, company=company, job_id=import_job_id)
    services.job_commit(actor=user, company=company, job_id=job.pk)
    return _out(selectors.job_get(user=user, company=company, job_id=job.pk))
